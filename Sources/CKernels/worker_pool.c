// The worker pool of lectern_worker_pool.h. One task at a time: the calling thread publishes it
// (function, context, count) and bumps `generation`; workers take iterations from `next` and count
// them in `done`; the caller takes iterations too, then waits until `done` reaches the count.
//
// Publishing a task overwrites the previous one's fields while a late worker may still be reading
// them, so the generation works as a sequence lock: odd while the caller writes, even once the task
// is complete. A worker announces itself in `active`, then checks that the generation has not moved;
// the caller, after making the generation odd, waits for `active` to drop to zero before it writes.
// Every atomic operation is sequentially consistent, which that argument (and the sleep and wake-up
// below) rests on; the plain fields are written before the even generation is stored and read after
// it is loaded.
#define _GNU_SOURCE
#include "lectern_worker_pool.h"

#include <immintrin.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { max_workers = 255 };

static struct {
    pthread_mutex_t caller;       // one calling thread at a time; the others run their tasks alone
    _Atomic uint32_t generation;  // also the futex sleeping workers wait on
    _Atomic int sleepers;         // workers in (or about to enter) the futex wait
    _Atomic long active;          // workers inside a task
    _Atomic long next, done;
    _Atomic long spin_nanoseconds;
    lectern_pool_task task;
    void *context;
    long count;
    int participants;             // the caller and workers 1 ..< participants
    int workers;                  // started so far (only callers change it, holding `caller`)
} pool = {.caller = PTHREAD_MUTEX_INITIALIZER, .spin_nanoseconds = 50000};

// Set on workers, and on a caller while it runs iterations: a nested call runs alone.
static _Thread_local int inside_task;

static long nanoseconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000000000L + (now.tv_nsec - start->tv_nsec);
}

// Spins until the counter reaches the value, yielding the core now and then: the thread it waits
// for may be waiting for this core.
static void pause_until(_Atomic long *counter, long value) {
    for (unsigned spins = 1; atomic_load(counter) != value; spins++) {
        if (spins % 64 == 0) sched_yield(); else _mm_pause();
    }
}

static void run_iterations(void) {
    for (long index; (index = atomic_fetch_add(&pool.next, 1)) < pool.count;) {
        pool.task(pool.context, index);
        atomic_fetch_add(&pool.done, 1);
    }
}

// The next complete generation after `seen`: spinning (and yielding the core to any other thread that
// wants it) for the spin time, then sleeping on the futex until a caller wakes it.
static uint32_t wait_for_task(uint32_t seen) {
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (unsigned spins = 1;; spins++) {
        uint32_t now = atomic_load(&pool.generation);
        if (now != seen && (now & 1) == 0) return now;
        if (spins % 64 != 0) {
            _mm_pause();
            continue;
        }
        if (now == seen && nanoseconds_since(&start) >= atomic_load(&pool.spin_nanoseconds)) {
            // A caller that bumps the generation after this increment sees it and wakes the futex;
            // one that bumped it before makes the wait return at once (the value is no longer `seen`).
            atomic_fetch_add(&pool.sleepers, 1);
            syscall(SYS_futex, &pool.generation, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
            atomic_fetch_sub(&pool.sleepers, 1);
            clock_gettime(CLOCK_MONOTONIC, &start);
        } else {
            sched_yield();
        }
    }
}

static void *worker(void *argument) {
    uintptr_t packed = (uintptr_t)argument;
    int id = (int)(packed & 0xff);
    uint32_t seen = (uint32_t)(packed >> 8);
    inside_task = 1;
    for (;;) {
        uint32_t generation = wait_for_task(seen);
        atomic_fetch_add(&pool.active, 1);
        if (atomic_load(&pool.generation) == generation) {
            seen = generation;
            if (id < pool.participants) run_iterations();
        }
        atomic_fetch_sub(&pool.active, 1);
    }
    return NULL;
}

static void run_alone(long count, lectern_pool_task task, void *context) {
    int outer = inside_task;
    inside_task = 1;
    for (long index = 0; index < count; index++) task(context, index);
    inside_task = outer;
}

void lectern_pool_run(long count, int threads, lectern_pool_task task, void *context) {
    if (count <= 0) return;
    if (threads > count) threads = (int)count;
    if (threads > max_workers + 1) threads = max_workers + 1;
    if (threads <= 1 || inside_task || pthread_mutex_trylock(&pool.caller) != 0) {
        run_alone(count, task, context);
        return;
    }
    uint32_t generation = atomic_load(&pool.generation);
    while (pool.workers < threads - 1) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        uintptr_t argument = ((uintptr_t)generation << 8) | (uintptr_t)(pool.workers + 1);
        int failed = pthread_create(&thread, &attributes, worker, (void *)argument);
        pthread_attr_destroy(&attributes);
        if (failed) break;  // the threads started so far share the work
        pool.workers++;
    }
    int participants = threads < pool.workers + 1 ? threads : pool.workers + 1;
    if (participants <= 1) {
        pthread_mutex_unlock(&pool.caller);
        run_alone(count, task, context);
        return;
    }

    atomic_store(&pool.generation, generation + 1);
    pause_until(&pool.active, 0);
    pool.task = task;
    pool.context = context;
    pool.count = count;
    pool.participants = participants;
    atomic_store(&pool.next, 0);
    atomic_store(&pool.done, 0);
    atomic_store(&pool.generation, generation + 2);
    if (atomic_load(&pool.sleepers) > 0) syscall(SYS_futex, &pool.generation, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);

    inside_task = 1;
    run_iterations();
    inside_task = 0;
    pause_until(&pool.done, count);
    pthread_mutex_unlock(&pool.caller);
}

void lectern_pool_set_spin_microseconds(long microseconds) {
    atomic_store(&pool.spin_nanoseconds, microseconds > 0 ? microseconds * 1000 : 0);
}
