#!/bin/bash
# Submit the marking of a class: the array of shards, then the merge once every shard has ended.
#   bash submit.sh        (from the folder that holds submissions/, .venv/ and these scripts)
set -eo pipefail
mkdir -p logs
array=$(sbatch --parsable mark-class.sbatch)
sbatch --dependency="afterany:${array%%;*}" merge.sbatch
