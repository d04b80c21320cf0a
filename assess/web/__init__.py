"""The HTTP side: views (one blueprint per side), forms, security headers and limits."""
