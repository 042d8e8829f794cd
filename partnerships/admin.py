from django.contrib import admin

from .models import Partner, Partnership, PartnershipGoal, StrategicGoal


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "risk_tier"]
    list_filter = ["kind", "risk_tier"]
    search_fields = ["name", "country"]


class PartnershipGoalInline(admin.TabularInline):
    model = PartnershipGoal
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    list_display = ["title", "partner", "sponsor"]
    list_select_related = ["partner", "sponsor"]
    search_fields = ["title", "partner__name"]
    inlines = [PartnershipGoalInline]


@admin.register(StrategicGoal)
class StrategicGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "active"]
    list_filter = ["active"]
