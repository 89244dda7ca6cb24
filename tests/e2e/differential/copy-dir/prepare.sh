mkdir -p tree/sub/deep tree/private
echo one >tree/one.txt; echo two >tree/sub/two.txt; echo three >tree/sub/deep/three
printf '#!/bin/sh\necho run\n' >tree/run.sh
chmod 755 tree/run.sh; chmod 600 tree/sub/two.txt; chmod 700 tree/private; chmod 750 tree/sub
