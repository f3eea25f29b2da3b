"""cchc: administrative reform (cải cách hành chính) management."""
