"""What ``bench_load`` serves: the app plus bench_pages' floor page."""
