"""Partitioned execution of the pipeline, in this process or on a Dask cluster.

The corpus is cut into **partitions** (consecutive documents, ``partition_documents`` each).
Every partitioned step is a plain function applied to one partition; an *executor* maps it
over the partitions and gives the results back in partition order:

- :class:`LocalExecutor` runs the tasks one after the other in this process (memory holds one
  partition at a time, whatever the corpus size);
- :class:`DaskExecutor` runs them on a Dask ``distributed`` cluster (``local:N``, a scheduler
  address ``tcp://HOST:PORT`` or a scheduler file written by ``dask-jobqueue``/``dask scheduler
  --scheduler-file``), a bounded number in flight, and records which worker ran which task.

Because the same task functions run in both cases and the client combines their results in
partition order, the single-process and the cluster runs give the same annotation, dictionary,
bag of words and (batch) topic model; only the floating-point summation inside a task may
differ with the machine.

Workers read and write the stage directory directly: on a cluster of several machines it must
be on a file system they share (as it is on Slurm clusters).
"""

from toolkit.distributed.executor import (
    DaskExecutor,
    Executor,
    LocalExecutor,
    connect,
)

__all__ = ["Executor", "LocalExecutor", "DaskExecutor", "connect"]
