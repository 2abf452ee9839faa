# ---------------------------------------------------------------------------------------------
# Added by nndl-grade build. The steps above are Otter's: they created the conda environment
# "{{otter_env}}" and installed this project into it from the wheel in source/files/ (Otter's
# requirements.txt, listed in environment.yml). The steps below prepare the isolated engine.

# bubblewrap gives each worker an empty view of the file system and no network. Best effort:
# without it the engine falls back to the unprivileged user and file modes.
apt-get install -y bubblewrap \
    || echo "nndl: bubblewrap could not be installed; the engine falls back to uid and file modes"

# The engine runs student code as the unprivileged user "nobody" (Ubuntu images have it).
id -u nobody >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin nobody

# /root (mode 700) keeps Otter's environment, with the installed checks, out of nobody's reach;
# the engine starts each worker before it drops to nobody, so nobody needs no access to it.
chmod 700 /root

# The checks, the wheel and the results are the grader's alone.
chmod -R go-rwx {{autograder_dir}}/source
mkdir -p {{autograder_dir}}/results
chmod go-rwx {{autograder_dir}}/results

# Fail the image build here, not at the first submission, if the project cannot be imported.
/root/miniforge3/bin/mamba run -n {{otter_env}} python -c \
    "import numpy, autograder.gradescope, autograder.grading; print('nndl-autograder ready')"
