h2
