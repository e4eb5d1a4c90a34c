// Clang's thread-safety annotations and the mutex they speak about.
//
// With clang, -Wthread-safety checks at compile time that every member marked
// GUARDED_BY(mu) is touched only with `mu` held and that every function marked
// REQUIRES(mu) or EXCLUDES(mu) is called accordingly (tests/client runs that check with
// -Werror). With other compilers the macros are empty and Mutex is a std::mutex.
//
// Mutex is not recursive. CondVar waits on a Mutex the caller holds and holds it again
// when it returns; the predicate loop is the caller's, so the analysis sees every read.
#ifndef FLOATLM_CLIENT_MUTEX_H_
#define FLOATLM_CLIENT_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#if defined(__clang__)
#define FLOATLM_TSA(x) __attribute__((x))
#else
#define FLOATLM_TSA(x)
#endif

#define CAPABILITY(x) FLOATLM_TSA(capability(x))
#define SCOPED_CAPABILITY FLOATLM_TSA(scoped_lockable)
#define GUARDED_BY(x) FLOATLM_TSA(guarded_by(x))
#define PT_GUARDED_BY(x) FLOATLM_TSA(pt_guarded_by(x))
#define ACQUIRED_AFTER(...) FLOATLM_TSA(acquired_after(__VA_ARGS__))
#define REQUIRES(...) FLOATLM_TSA(requires_capability(__VA_ARGS__))
#define ACQUIRE(...) FLOATLM_TSA(acquire_capability(__VA_ARGS__))
#define RELEASE(...) FLOATLM_TSA(release_capability(__VA_ARGS__))
#define EXCLUDES(...) FLOATLM_TSA(locks_excluded(__VA_ARGS__))
#define NO_THREAD_SAFETY_ANALYSIS FLOATLM_TSA(no_thread_safety_analysis)

namespace floatlm::client {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for its scope; Unlock() and Lock() let a scope step out and back in.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex& mu) ACQUIRE(mu) : mu_(mu) { mu_.Lock(); }
  ~MutexLock() RELEASE() {
    if (held_) mu_.Unlock();
  }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

  void Unlock() RELEASE() {
    mu_.Unlock();
    held_ = false;
  }
  void Lock() ACQUIRE() {
    mu_.Lock();
    held_ = true;
  }

 private:
  Mutex& mu_;
  bool held_ = true;
};

class CondVar {
 public:
  // `mu` is held on entry and again on return; a wakeup may be spurious.
  void Wait(Mutex& mu) REQUIRES(mu) NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock lk(mu.mu_, std::adopt_lock);
    cv_.wait(lk);
    lk.release();
  }
  // False when `deadline` passed.
  template <class Clock, class Duration>
  bool WaitUntil(Mutex& mu, std::chrono::time_point<Clock, Duration> deadline)
      REQUIRES(mu) NO_THREAD_SAFETY_ANALYSIS {
    std::unique_lock lk(mu.mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lk, deadline) == std::cv_status::no_timeout;
    lk.release();
    return woken;
  }
  void NotifyAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace floatlm::client

#endif  // FLOATLM_CLIENT_MUTEX_H_
