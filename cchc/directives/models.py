"""Directives (văn bản chỉ đạo) and the tasks they assign."""
