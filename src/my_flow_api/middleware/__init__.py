"""Request-level plumbing: authentication (`auth`) and the body-size limit (`body_limit`)."""
