#!/bin/sh
# Stands in for a compiler: writes something the final image needs.
echo "report built in the build stage"
echo "files in the build stage's /bin: $(ls /bin | wc -l)"
