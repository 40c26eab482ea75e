"""A minimal Channels app (the tutorial's chat room) that bench_scale.py measures beside the product."""
