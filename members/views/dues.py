"""Dues pages: the bureau's board, dues lines, payments, documents. (issue 4)"""

urlpatterns = []
