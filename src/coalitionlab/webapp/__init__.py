"""A local web app over coalitionlab: embeddedness ranking and world map, a state's ties, predicted
participation with its reasons, and a mission to edit and re-plan (``coalitionlab app``, docs/app.md).

The app is a FastAPI application with a small plain-JavaScript page; it reads data only from the
data directory it was started with (:class:`~coalitionlab.webapp.service.AppData`), never from a path
in a request, and binds to 127.0.0.1 only. Its computations are the package's own
(:mod:`coalitionlab.measures`, :mod:`coalitionlab.models.predict`, :mod:`coalitionlab.planner`);
:mod:`coalitionlab.webapp.service` holds them as plain functions returning DataFrames, and
:func:`coalitionlab.webapp.server.create_app` serves them.
"""

from coalitionlab.webapp.service import AppData, mission_templates, parse_mission

__all__ = ["AppData", "mission_templates", "parse_mission"]
