/* Moves the wall clock of a process it is preloaded into (LD_PRELOAD), and nothing else.
 *
 * clock_gettime(CLOCK_REALTIME and CLOCK_REALTIME_COARSE), gettimeofday() and time()
 * return the real time plus an offset in seconds. The offset is read from the file
 * named by FLOATLM_CLOCK_SHIFT_FILE (text: an optional sign and decimal digits); a test
 * moves the clock by replacing that file, at any time while the process runs. Every
 * other clock (CLOCK_MONOTONIC, CLOCK_BOOTTIME, ...) goes to the real function found
 * with dlsym(RTLD_NEXT), untouched. No variable or no file means no shift.
 *
 * Each call stats the file and rereads it only when its inode, size or mtime changed,
 * so the cost is one stat(2) per clock read. Only system calls are used on that path
 * (stat, open, read, close): no locks, no allocation, safe enough inside a signal
 * handler. Writers should replace the file with rename(2) so a reader never sees it
 * half written and a rewrite within one mtime tick still shows as a new inode.
 *
 * Why interposing clock_gettime reaches std::chrono::system_clock::now(): libstdc++ 12
 * (Debian 12) implements it as a call to clock_gettime(CLOCK_REALTIME) through the PLT
 * (objdump -d libstdc++.so.6: system_clock::now calls clock_gettime@plt with %edi = 0),
 * and a preloaded definition comes first in symbol lookup. tests/fault/clock_jump_test.cc
 * checks the effect on floatlmd through the "now" of its status. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define CLOCK_SHIFT_ENV "FLOATLM_CLOCK_SHIFT_FILE"

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, void *);
typedef time_t (*time_fn)(time_t *);

static clock_gettime_fn real_clock_gettime;
static gettimeofday_fn real_gettimeofday;
static time_fn real_time;
/* The file's name, copied at load time: the program may change its environment. */
static char shift_file_name[4096];
static const char *shift_file;

/* The file as last read. Plain words updated with relaxed atomics: two threads that
 * race both read the file and store the same values. */
static long long cached_offset;
static ino_t cached_ino;
static off_t cached_size = -1;
static time_t cached_mtime_sec;
static long cached_mtime_nsec;

/* The next definitions after this library's, normally libc's. A union, because ISO C
 * has no cast from dlsym's object pointer to a function pointer. */
static void resolve(void) {
  union {
    void *object;
    clock_gettime_fn clock_gettime;
    gettimeofday_fn gettimeofday;
    time_fn time;
  } next;
  if (!real_clock_gettime) {
    next.object = dlsym(RTLD_NEXT, "clock_gettime");
    real_clock_gettime = next.clock_gettime;
  }
  if (!real_gettimeofday) {
    next.object = dlsym(RTLD_NEXT, "gettimeofday");
    real_gettimeofday = next.gettimeofday;
  }
  if (!real_time) {
    next.object = dlsym(RTLD_NEXT, "time");
    real_time = next.time;
  }
}

__attribute__((constructor)) static void clock_shift_init(void) {
  const char *name = getenv(CLOCK_SHIFT_ENV);
  if (name) {
    size_t i = 0;
    for (; name[i] && i + 1 < sizeof shift_file_name; ++i) shift_file_name[i] = name[i];
    shift_file_name[i] = '\0';
    if (!name[i]) shift_file = shift_file_name; /* a name that does not fit shifts nothing */
  }
  resolve();
}

static long long parse_offset(const char *text, ssize_t n) {
  ssize_t i = 0;
  while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
  int negative = 0;
  if (i < n && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  long long value = 0;
  for (; i < n && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (value > 1000000000000LL) break; /* far beyond any useful shift; stop growing */
    value = value * 10 + (text[i] - '0');
  }
  return negative ? -value : value;
}

static long long current_offset(void) {
  if (!shift_file) return 0;
  struct stat st;
  if (stat(shift_file, &st) != 0) return 0;
  if (st.st_ino != __atomic_load_n(&cached_ino, __ATOMIC_RELAXED) ||
      st.st_size != __atomic_load_n(&cached_size, __ATOMIC_RELAXED) ||
      st.st_mtim.tv_sec != __atomic_load_n(&cached_mtime_sec, __ATOMIC_RELAXED) ||
      st.st_mtim.tv_nsec != __atomic_load_n(&cached_mtime_nsec, __ATOMIC_RELAXED)) {
    char text[64];
    ssize_t n = -1;
    const int fd = open(shift_file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      n = read(fd, text, sizeof text);
      close(fd);
    }
    if (n < 0) return 0;
    __atomic_store_n(&cached_offset, parse_offset(text, n), __ATOMIC_RELAXED);
    __atomic_store_n(&cached_ino, st.st_ino, __ATOMIC_RELAXED);
    __atomic_store_n(&cached_size, st.st_size, __ATOMIC_RELAXED);
    __atomic_store_n(&cached_mtime_sec, st.st_mtim.tv_sec, __ATOMIC_RELAXED);
    __atomic_store_n(&cached_mtime_nsec, st.st_mtim.tv_nsec, __ATOMIC_RELAXED);
  }
  return __atomic_load_n(&cached_offset, __ATOMIC_RELAXED);
}

int clock_gettime(clockid_t clock, struct timespec *tp) {
  resolve();
  const int rc = real_clock_gettime(clock, tp);
  if (rc == 0 && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE)) {
    tp->tv_sec += (time_t)current_offset();
  }
  return rc;
}

/* A separate function: the header declares gettimeofday's first argument non-null, so
 * a null check inside it would draw -Wnonnull-compare, yet callers do pass NULL. */
static void shift_timeval(struct timeval *tv) {
  if (tv) tv->tv_sec += (time_t)current_offset();
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
  resolve();
  const int rc = real_gettimeofday(tv, tz);
  if (rc == 0) shift_timeval(tv);
  return rc;
}

time_t time(time_t *out) {
  resolve();
  const time_t now = real_time(NULL);
  if (now == (time_t)-1) return now;
  const time_t shifted = now + (time_t)current_offset();
  if (out) *out = shifted;
  return shifted;
}
