"""Program views, one module per area: setup (programs, texts, training),
applications (public forms and the review queue), readiness, intake."""
