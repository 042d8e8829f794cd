from django.contrib import admin

from core.audit import changed, snapshot

from .models import Partner, Partnership, PartnershipGoal, StrategicGoal
from .services import partner_saved, partnership_saved


class AuditedAdmin(admin.ModelAdmin):
    """A save in the admin is audited and followed up as on the pages (`on_saved`)."""

    on_saved = None  # partner_saved or partnership_saved
    instance_name = ""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        old, new = changed(before, snapshot(obj))
        type(self).on_saved(
            **{self.instance_name: obj}, user=request.user, created=not change, old=old, new=new
        )


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin):
    list_display = ["name", "kind", "country", "risk_tier"]
    list_filter = ["kind", "risk_tier"]
    search_fields = ["name", "country"]
    on_saved, instance_name = partner_saved, "partner"


class PartnershipGoalInline(admin.TabularInline):
    model = PartnershipGoal
    extra = 0


@admin.register(Partnership)
class PartnershipAdmin(AuditedAdmin):
    list_display = ["title", "partner", "sponsor"]
    list_select_related = ["partner", "sponsor"]
    search_fields = ["title", "partner__name"]
    inlines = [PartnershipGoalInline]
    on_saved, instance_name = partnership_saved, "partnership"


@admin.register(StrategicGoal)
class StrategicGoalAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "active"]
    list_filter = ["active"]
