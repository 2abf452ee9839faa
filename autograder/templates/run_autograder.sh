#!/usr/bin/env bash
# Gradescope runs this for every submission, as root, with the autograder at {{autograder_dir}}.
# Written by nndl-grade build: instead of Otter's in-kernel grading (run_otter.py, kept beside
# it), it runs this project's isolated engine, `python -m autograder.gradescope`, which collects
# the upload in submission/, grades chapter {{chapter}} and always writes results/results.json.
#
# setup.sh created Otter's conda environment "{{otter_env}}" with this project installed; it is
# activated when present. Anywhere else (a test harness, a custom image) the `python` first on
# PATH must have this project installed.
if [ -x /root/miniforge3/bin/mamba ]; then
    export PATH=/root/miniforge3/bin:$PATH
    eval "$(mamba shell hook --shell bash)"
    mamba activate {{otter_env}}
fi

results={{autograder_dir}}/results/results.json
mkdir -p "$(dirname "$results")"
rm -f "$results"
# Start Python in an empty folder of root's own, so that `python -m` cannot pick up a package
# named like ours from wherever this was started (the upload, say).
cd "$(mktemp -d)" || exit 1
export PYTHONSAFEPATH=1
python -m autograder.gradescope --autograder-dir {{autograder_dir}} --chapter {{chapter}}
status=$?
if [ "$status" -ne 0 ]; then
    # The grader itself could not run (it writes its own results.json on any error it catches).
    cat > "$results" <<JSON
{"score": 0, "stdout_visibility": "hidden", "tests": [],
 "output": "The autograder could not run (exit status $status). This is not a problem with your files: submit again later, and tell your instructor if it happens again."}
JSON
fi
exit 0
