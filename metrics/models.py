# Outcome metrics arrive with the business-value issue; the app is in place so
# that its migrations start from a clean slate.
