"""Capture: camera sources, recording, stop-motion, voice-over, the phone upload page.

For front ends (the TUI), the pieces to use:

* :func:`cagette.capture.sources.open_source` — a URL, ``/dev/videoN`` or a file → a
  :class:`~cagette.capture.sources.Source`; :func:`~cagette.capture.sources.list_devices`,
  :func:`~cagette.capture.sources.list_microphones`, :func:`~cagette.capture.sources.local_addresses`.
* :class:`cagette.capture.recorder.FrameHub` — runs a source in a thread; ``latest()`` for a view.
* :class:`cagette.capture.preview.Preview` — downscaled frames at a steady rate (``image()``).
* :func:`cagette.capture.session.record_scene` — record into a scene's shots (stop with an Event);
  :func:`~cagette.capture.session.recover` after a crash.
* :class:`cagette.capture.stopmotion.StopMotion` — ``take``, ``remove_last``, ``retake``, ``delete``,
  ``reorder``, ``duplicate``, ``handle(ShutterEvent)``, ``run(trigger)``, ``live_view()`` (onion skin);
  :func:`~cagette.capture.stopmotion.onion_skin` and :func:`~cagette.capture.stopmotion.playback`.
* :mod:`cagette.capture.trigger` — ``QueueTrigger`` (push keys or the board's button), ``TimerTrigger``,
  ``KeyTrigger`` (terminal keys, presenters, pedals).
* :func:`cagette.capture.keystone.correct` — the stage straightened from its four ArUco markers.
* :func:`cagette.capture.voice.record_voice` — the microphone into a WAV, with level callbacks.
* :class:`cagette.capture.phone.PhoneServer` — the upload page (``start``/``stop``, ``url()``).

Everything written into a project goes through :mod:`cagette.video.project`.
"""
