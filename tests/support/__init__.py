"""What tests share: record builders, stand-ins for outside services, and fixed clocks and ids.

Conftest modules hold fixtures only; anything a test imports comes from here, so a test reads
its setup from one place and no test depends on another folder's conftest.
"""
