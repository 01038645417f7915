// The engine's worker threads for the passes between matrix products (and for its own bfloat16
// products). A product or a pass over a layer's activations takes tens of microseconds to a few
// milliseconds, and a training step runs hundreds of them; a thread that sleeps between them must be
// woken by the kernel for each one (an inter-processor interrupt, dear on a virtual machine). These
// workers spin for a short while after each task before they sleep, so back-to-back passes find them
// awake; they yield while they spin, so OpenBLAS's own threads keep their cores during a product.
#ifndef LECTERN_WORKER_POOL_H
#define LECTERN_WORKER_POOL_H

// One iteration of a task: `index` in 0..<count.
typedef void (*lectern_pool_task)(void *context, long index);

// Runs task(context, i) for every i in 0..<count, each exactly once, on the calling thread and up to
// `threads` − 1 workers, which take iterations in turn from a shared counter; returns when every
// iteration has returned. A call from inside a task, or while another thread's call is running, runs
// every iteration on the calling thread, in order; so does a call when no worker thread can be started.
void lectern_pool_run(long count, int threads, lectern_pool_task task, void *context);

// How long a worker spins for the next task before it sleeps, in microseconds (0: it sleeps at
// once). For benchmarks and tests.
void lectern_pool_set_spin_microseconds(long microseconds);

#endif
