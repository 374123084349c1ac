"""Every write about dues, payments, documents and reminders. (issue 4)"""
