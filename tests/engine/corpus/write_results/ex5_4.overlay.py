"""Attack: write full marks into the grader's results (another student's results.json, the
grades.csv, a results.json in the current folder and in /autograder/results); the answers
are wrong (0/10), and every file the grader writes must be untouched."""
import json
import os

OUT = "@OUT@"
FAKE = json.dumps({"score": 100.0, "tests": []})
for path in (os.path.join(OUT, "aaa_honest", "results.json"),
             os.path.join(OUT, "write_results", "results.json"),
             os.path.join(OUT, "grades.csv"), "results.json",
             "/autograder/results/results.json", "../results.json"):
    try:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as fh:
            fh.write(FAKE)
    except OSError:
        pass


def conv_cost(m, k, c_in, c_out):
    return {"time": 0, "space": 0, "params": 0}


def bottleneck_cost(m, k, c_in, c_mid, c_out):
    return {"time": 0, "space": 0, "params": 0}
