"""The public website: leaving a message (网上留言) and looking up a ticket's progress (进度查询)."""
