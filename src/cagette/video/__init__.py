"""Video: the project format, timeline, captions, audio and render engines."""
