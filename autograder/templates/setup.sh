# ---------------------------------------------------------------------------------------------
# Added by nndl-grade build. The steps above are Otter's: they created the conda environment
# "{{otter_env}}" and installed this project into it from the wheel in source/files/ (Otter's
# requirements.txt, listed in environment.yml). The steps below prepare the isolated engine.

# bubblewrap gives each worker an empty view of the file system and no network; libseccomp's
# binding for the system's python3 builds the seccomp filter every worker runs under (without
# it the engine refuses to grade as root). Best effort for bubblewrap: without it the engine
# falls back to a uid of its own per worker and file modes.
apt-get install -y bubblewrap python3-seccomp \
    || apt-get install -y python3-seccomp \
    || echo "nndl: bubblewrap or python3-seccomp could not be installed; see the grader's log"

# The engine runs student code as the unprivileged user "nobody" (Ubuntu images have it).
id -u nobody >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin nobody

# /root (mode 700) keeps Otter's environment, with the installed checks, out of the workers'
# reach; the engine starts each worker before it drops to its own uid, so workers need no
# access to it. The installed package itself is closed to other users too, wherever the
# environment lives (the engine's self-test checks both at every start, and refuses to grade
# if student code could read it).
chmod 700 /root
pkg=$(/root/miniforge3/bin/mamba run -n {{otter_env}} python -c \
    "import os, autograder; print(os.path.dirname(autograder.__file__))")
chmod -R o-rwx "$pkg"

# The checks, the wheel and the results are the grader's alone.
chmod -R go-rwx {{autograder_dir}}/source
mkdir -p {{autograder_dir}}/results
chmod go-rwx {{autograder_dir}}/results

# Fail the image build here, not at the first submission, if the project cannot be imported.
/root/miniforge3/bin/mamba run -n {{otter_env}} python -c \
    "import numpy, autograder.gradescope, autograder.grading; print('nndl-autograder ready')"
