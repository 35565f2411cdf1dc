"""Sync: the plan (pure), folder, HTTP and S3 remotes, the read-only server."""
