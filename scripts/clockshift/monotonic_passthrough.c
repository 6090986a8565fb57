/* Loaded before libfaketime when the test suite runs under a shifted wall clock (scripts/shifted-clock.sh).
 *
 * libfaketime 0.9.10 (Debian 12) fakes the monotonic clock together with the wall clock, and then blocking
 * waits that glibc computes from the monotonic clock (sem_clockwait: every threading.Event.wait(timeout) in
 * Python 3.11+) sleep for the whole shift. With FAKETIME_DONT_FAKE_MONOTONIC=1 those are fine, but two of
 * its wrappers still subtract the shift from absolute MONOTONIC deadlines:
 *   - clock_nanosleep (Python's time.sleep) then fails with EINVAL;
 *   - pthread_cond_timedwait on a condition variable that runs on CLOCK_MONOTONIC (Qt's QWaitCondition,
 *     QThread::wait) then times out at once.
 * Only the wall clock should move: monotonic deadlines go straight to glibc and the kernel; wall-clock
 * deadlines still go through libfaketime, which translates them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int clock_nanosleep(clockid_t clock, int flags, const struct timespec *request, struct timespec *remain) {
    if (clock == CLOCK_REALTIME && (flags & TIMER_ABSTIME)) {
        typedef int (*nanosleep_fn)(clockid_t, int, const struct timespec *, struct timespec *);
        static nanosleep_fn faked;
        if (!faked) faked = (nanosleep_fn) dlsym(RTLD_NEXT, "clock_nanosleep");
        return faked(clock, flags, request, remain);
    }
    long result = syscall(SYS_clock_nanosleep, clock, flags, request, remain);
    return result == 0 ? 0 : errno;
}

/* glibc marks a condition variable created with CLOCK_MONOTONIC in bit 1 of __wrefs
 * (__PTHREAD_COND_CLOCK_MONOTONIC_MASK in nptl's internaltypes.h). */
#define COND_CLOCK_MONOTONIC_MASK 2u

typedef int (*timedwait_fn)(pthread_cond_t *, pthread_mutex_t *, const struct timespec *);

int pthread_cond_timedwait(pthread_cond_t *cond, pthread_mutex_t *mutex, const struct timespec *deadline) {
    static timedwait_fn glibc_wait, faked_wait;
    if (!glibc_wait) {
        void *libc = dlopen("libc.so.6", RTLD_LAZY | RTLD_NOLOAD);
        glibc_wait = (timedwait_fn) dlvsym(libc, "pthread_cond_timedwait", "GLIBC_2.3.2");
        faked_wait = (timedwait_fn) dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2");
    }
    if (cond->__data.__wrefs & COND_CLOCK_MONOTONIC_MASK) return glibc_wait(cond, mutex, deadline);
    return faked_wait(cond, mutex, deadline);
}
