"""Result → the job summary, in the order a summary is made: `context` (what a template gets),
`markdown` (filters that keep outside text inert), `render` (the built-in or the user's template, and
the summaries of a refused or failed run), `fit` (GitHub's 1 MiB per step)."""
