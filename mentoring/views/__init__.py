"""Mentoring views: pages (landing, homes, people, invitations) and matches
(suggestions, whole-pool matching, the match lifecycle)."""

from .pages import PAGE_SIZE, require_role

__all__ = ["PAGE_SIZE", "require_role"]
