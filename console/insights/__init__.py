"""Support insights (« Tableau de bord »): what people ask, what the assistant solves alone,
where they give up, what it does not understand.

- :mod:`console.insights.facts`: the figures of one conversation, from its Rasa events;
- :mod:`console.insights.summary`: the summary tables in the console database, refreshed
  incrementally from the tracker store;
- :mod:`console.insights.report`: the SQL queries behind the page and ``carpimko insights``;
- :mod:`console.insights.clusters`: not-understood messages grouped by similarity;
- :mod:`console.insights.charts`: SVG charts (matplotlib);
- :mod:`console.insights.nlu`: chosen messages as a Rasa NLU YAML fragment.
"""
