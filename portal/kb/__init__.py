"""Knowledge base: articles, their search index, suggestions, feedback, the editor."""
