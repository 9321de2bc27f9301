"""pumpproof.reports: render results (terminal, JSON, graphs, HTML, JUnit, SARIF); never solves."""
