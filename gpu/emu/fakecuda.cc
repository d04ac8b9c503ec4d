// fakecuda.cc — a fake libcuda.so.1 for testing optnet's GPU code on
// machines without a GPU. It implements the driver API entry points that
// gpu/cuda binds, keeps "device memory" in host memory, and runs the kernels
// of gpu/kernels compiled as host code (emu.h): every block is run by a team
// of fibers, one per CUDA thread, on a worker thread.
//
// What it checks beyond the arithmetic:
//   * a context must be current on the calling OS thread (cuCtxSetCurrent);
//   * copies must stay inside allocations; allocations and the dynamic shared
//     memory end at a guard page (an overrun faults), and start out as NaN
//     bytes (0xFF), like uninitialised memory;
//   * launches need blockDim a multiple of 32 and no more dynamic shared
//     memory than allowed (48 KiB unless raised with cuFuncSetAttribute, and
//     never above the opt-in limit, 227 KiB as on an H100);
//   * __syncthreads/warp operations: a barrier that cannot complete (threads
//     at different barriers, or some exited) fails the launch; fibers run in
//     a seeded random order between barriers, so a missing barrier makes the
//     results depend on FAKECUDA_SEED.
//
// Build: scripts/build-fakecuda.sh OUT.so (g++ -std=c++20 -O2 -shared -fPIC).
// Environment: FAKECUDA_DEVICES (default 1), FAKECUDA_SEED (default 1),
// FAKECUDA_WORKERS (default 2).

#include "emu.h"

#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "../kernels/qp.cu"

namespace emu {
thread_local Thread* cur;
}

namespace {

// ---- CUresult values -------------------------------------------------------
enum {
  OK = 0,
  INVALID_VALUE = 1,
  OUT_OF_MEMORY = 2,
  NO_DEVICE = 100,
  INVALID_DEVICE = 101,
  INVALID_IMAGE = 200,
  INVALID_CONTEXT = 201,
  INVALID_PTX = 218,
  INVALID_HANDLE = 400,
  NOT_FOUND = 500,
  LAUNCH_FAILED = 719,
};

const char* result_name(int r) {
  switch (r) {
    case OK: return "CUDA_SUCCESS";
    case INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
    case OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
    case NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
    case INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
    case INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
    case INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
    case INVALID_PTX: return "CUDA_ERROR_INVALID_PTX";
    case INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
    case NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
    case LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
  }
  return nullptr;
}

const char* result_string(int r) {
  switch (r) {
    case OK: return "no error";
    case INVALID_VALUE: return "invalid argument";
    case OUT_OF_MEMORY: return "out of memory";
    case NO_DEVICE: return "no CUDA-capable device is detected";
    case INVALID_DEVICE: return "invalid device ordinal";
    case INVALID_IMAGE: return "device kernel image is invalid";
    case INVALID_CONTEXT: return "invalid device context";
    case INVALID_PTX: return "a PTX JIT compilation failed";
    case INVALID_HANDLE: return "invalid resource handle";
    case NOT_FOUND: return "named symbol not found";
    case LAUNCH_FAILED: return "unspecified launch failure";
  }
  return nullptr;
}

int env_int(const char* name, int def) {
  const char* s = getenv(name);
  return s && *s ? atoi(s) : def;
}

const long kPage = sysconf(_SC_PAGESIZE);
const int kSharedOptin = 232448;  // 227 KiB, an H100's opt-in limit
const int kSharedDefault = 49152;

std::mutex mu;  // guards the tables below
std::string last_error;
long long launches = 0;

void fail_msg(const std::string& s) {
  std::lock_guard<std::mutex> g(mu);
  last_error = s;
  fprintf(stderr, "fakecuda: %s\n", s.c_str());
}

// ---- guarded memory ------------------------------------------------------
struct Region {
  char* base;
  size_t len;   // mapped length (including the guard page)
  char* ptr;    // user pointer
  size_t size;  // user size
};

Region map_guarded(size_t size, size_t align) {
  size_t want = (size + align - 1) / align * align;
  size_t data_pages = (want + kPage - 1) / kPage * kPage;
  size_t len = data_pages + kPage;
  char* base = (char*)mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) return Region{nullptr, 0, nullptr, 0};
  mprotect(base + data_pages, kPage, PROT_NONE);
  char* ptr = base + data_pages - want;
  memset(ptr, 0xFF, want);
  return Region{base, len, ptr, size};
}

std::map<uintptr_t, Region> allocs;  // by user pointer

// in_alloc reports whether [p, p+n) lies inside one allocation.
bool in_alloc(uintptr_t p, size_t n) {
  std::lock_guard<std::mutex> g(mu);
  auto it = allocs.upper_bound(p);
  if (it == allocs.begin()) return false;
  --it;
  const Region& r = it->second;
  uintptr_t lo = (uintptr_t)r.ptr;
  return p >= lo && p + n <= lo + r.size;
}

// ---- contexts --------------------------------------------------------------
int ctx_token;  // the primary context's handle points here
thread_local void* current_ctx;

bool have_ctx() { return current_ctx == &ctx_token; }

// ---- kernels ----------------------------------------------------------------
struct KernelEntry {
  const char* name;
  void (*run)(const void* params);
  size_t param_size;
};

#define QP_ENTRY(kname) {#kname, [](const void* p) { kname(*(const QPParams*)p); }, sizeof(QPParams)},
const KernelEntry kernel_table[] = {QP_KERNELS(QP_ENTRY)};

struct Module {
  std::string ptx;
};

struct Function {
  const KernelEntry* k;
  int max_dynamic_shared;
};

// ---- fibers ------------------------------------------------------------------
extern "C" void fakecuda_switch(void** save_sp, void* to_sp);
asm(R"(
.text
.globl fakecuda_switch
.type fakecuda_switch,@function
fakecuda_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
.size fakecuda_switch,.-fakecuda_switch
.globl fakecuda_trampoline
.type fakecuda_trampoline,@function
fakecuda_trampoline:
    movq %r12, %rdi
    callq *%rbx
    ud2
.size fakecuda_trampoline,.-fakecuda_trampoline
.section .note.GNU-stack,"",@progbits
.text
)");
extern "C" void fakecuda_trampoline();

enum FiberState { READY, AT_BLOCK, AT_WARP, DONE };

const size_t kStack = 256 * 1024;

struct Worker;

struct Fiber {
  emu::Thread th;
  Worker* w;
  void* sp;
  char* stack_lo;  // usable stack [stack_lo, stack_lo+kStack)
  FiberState state;
  double val;  // warp operation operand / result
  int op;
};

struct Worker {
  emu::Team team;
  std::vector<Fiber> fibers;
  std::vector<Region> stacks;
  Region smem{};
  void* sched_sp = nullptr;
  const KernelEntry* k = nullptr;
  const void* params = nullptr;
  unsigned active = 0;  // threads of the current launch (fibers[0..active))
  std::string error;

  ~Worker() {
    for (auto& r : stacks) munmap(r.base, r.len);
    if (smem.base) munmap(smem.base, smem.len);
  }
};

thread_local Fiber* cur_fiber;

void fiber_main(Fiber* f) {
  f->w->k->run(f->w->params);
  f->state = DONE;
  fakecuda_switch(&f->sp, f->w->sched_sp);
  abort();  // never resumed
}

void fiber_reset(Fiber& f) {
  // Initial frame, as fakecuda_switch pops it: mxcsr|fpucw, r15, r14, r13,
  // r12 (argument), rbx (entry), rbp, return address (trampoline).
  char* top = f.stack_lo + kStack;
  uint64_t* sp = (uint64_t*)(top - 64 - 16);
  uint32_t csr = 0x1F80;
  uint16_t cw = 0x037F;
  memcpy((char*)sp, &csr, 4);
  memcpy((char*)sp + 4, &cw, 2);
  sp[1] = 0;
  sp[2] = 0;
  sp[3] = 0;
  sp[4] = (uint64_t)&f;
  sp[5] = (uint64_t)&fiber_main;
  sp[6] = 0;
  sp[7] = (uint64_t)&fakecuda_trampoline;
  f.sp = sp;
  f.state = READY;
}

void yield_to_scheduler(FiberState st) {
  Fiber* f = cur_fiber;
  f->state = st;
  fakecuda_switch(&f->sp, f->w->sched_sp);
  emu::cur = &f->th;
  cur_fiber = f;
}

double nan_max(double a, double b) { return (a > b || a != a) ? a : b; }
double nan_min(double a, double b) { return (a < b || a != a) ? a : b; }

// run_block runs one block to completion; false (with w.error) when its
// threads cannot all reach the same barrier.
bool run_block(Worker& w, std::mt19937_64& rng) {
  const int nt = (int)w.active;
  for (int i = 0; i < nt; i++) fiber_reset(w.fibers[i]);
  if (w.smem.ptr) memset(w.smem.ptr, 0xFF, w.smem.size);
  std::vector<int> order(nt);
  for (int i = 0; i < nt; i++) order[i] = i;
  for (;;) {
    std::shuffle(order.begin(), order.end(), rng);
    for (int i : order) {
      Fiber& f = w.fibers[i];
      if (f.state != READY) continue;
      emu::cur = &f.th;
      cur_fiber = &f;
      fakecuda_switch(&w.sched_sp, f.sp);
    }
    int done = 0, at_block = 0;
    for (int i = 0; i < nt; i++) {
      done += w.fibers[i].state == DONE;
      at_block += w.fibers[i].state == AT_BLOCK;
    }
    if (done == nt) return true;
    bool released = false;
    for (int w0 = 0; w0 < nt; w0 += 32) {
      bool all = true;
      for (int l = 0; l < 32; l++) all = all && w.fibers[w0 + l].state == AT_WARP;
      if (!all) continue;
      const int op = w.fibers[w0].op;
      for (int l = 1; l < 32; l++)
        if (w.fibers[w0 + l].op != op) {
          w.error = "lanes of a warp in different warp operations";
          return false;
        }
      double r = w.fibers[w0].val;
      for (int l = 1; l < 32; l++) {
        double v = w.fibers[w0 + l].val;
        r = op == 0 ? r + v : op == 1 ? nan_max(r, v) : nan_min(r, v);
      }
      for (int l = 0; l < 32; l++) {
        w.fibers[w0 + l].val = r;
        w.fibers[w0 + l].state = READY;
      }
      released = true;
    }
    if (released) continue;
    if (at_block == nt) {
      for (int i = 0; i < nt; i++) w.fibers[i].state = READY;
      continue;
    }
    char buf[160];
    snprintf(buf, sizeof buf, "block (%u,%u): barrier cannot complete: %d threads at __syncthreads, %d exited, %d in warp operations",
             w.team.block_idx.x, w.team.block_idx.y, at_block, done, nt - at_block - done);
    w.error = buf;
    return false;
  }
}

}  // namespace

namespace {

// Job is one kernel launch.
struct Job {
  const KernelEntry* k;
  const void* params;
  emu::uint3v grid;
  unsigned nt, shmem;
  unsigned long long nblocks, seed;
  std::atomic<unsigned long long> next{0};
  std::mutex emu;
  std::string error;
};

// Pool is a fixed set of worker threads (signals blocked, so that the Go
// runtime's signals never land on a fiber stack), each with its fibers'
// stacks and a shared-memory region kept across launches.
class Pool {
 public:
  explicit Pool(int n) {
    for (int i = 0; i < n; i++) threads_.emplace_back([this] { loop(); });
  }

  // run executes the job on every worker and returns the first error.
  std::string run(Job& job) {
    std::unique_lock<std::mutex> l(m_);
    job_ = &job;
    gen_++;
    active_ = (int)threads_.size();
    cv_.notify_all();
    done_cv_.wait(l, [this] { return active_ == 0; });
    job_ = nullptr;
    return job.error;
  }

 private:
  void loop() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    Worker w;
    unsigned long long seen = 0;
    for (;;) {
      Job* job;
      {
        std::unique_lock<std::mutex> l(m_);
        cv_.wait(l, [&] { return gen_ != seen; });
        seen = gen_;
        job = job_;
      }
      work(w, *job);
      std::lock_guard<std::mutex> l(m_);
      if (--active_ == 0) done_cv_.notify_all();
    }
  }

  static void work(Worker& w, Job& job) {
    w.k = job.k;
    w.params = job.params;
    w.team.block_dim = {job.nt, 1, 1};
    w.team.grid_dim = job.grid;
    if (job.shmem > 0) {
      if (!w.smem.base || w.smem.size != job.shmem) {
        if (w.smem.base) munmap(w.smem.base, w.smem.len);
        w.smem = map_guarded(job.shmem, 8);
      }
      w.team.smem = (double*)w.smem.ptr;
    } else {
      w.team.smem = nullptr;
    }
    while (w.fibers.size() < job.nt) {
      Region r = map_guarded(kStack, 16);
      mprotect(r.base, kPage, PROT_NONE);  // and a guard below the stack
      w.stacks.push_back(r);
      w.fibers.emplace_back();
      // Fibers hold pointers into the vector's elements: fix all of them.
      for (size_t t = 0; t < w.fibers.size(); t++) {
        w.fibers[t].stack_lo = w.stacks[t].ptr;
      }
    }
    for (unsigned t = 0; t < job.nt; t++) {
      Fiber& fb = w.fibers[t];
      fb.th.idx = {t, 0, 0};
      fb.th.team = &w.team;
      fb.w = &w;
    }
    w.active = job.nt;
    const auto gx = job.grid.x, gy = job.grid.y;
    for (;;) {
      unsigned long long b = job.next.fetch_add(1);
      if (b >= job.nblocks) break;
      w.team.block_idx = {(unsigned)(b % gx), (unsigned)(b / gx % gy), (unsigned)(b / gx / gy)};
      std::mt19937_64 rng(job.seed * 0x9E3779B97F4A7C15ULL + b);
      if (!run_block(w, rng)) {
        std::lock_guard<std::mutex> g(job.emu);
        if (job.error.empty()) job.error = std::string(job.k->name) + ": " + w.error;
        job.next.store(job.nblocks);
        break;
      }
    }
  }

  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  std::vector<std::thread> threads_;
  Job* job_ = nullptr;
  unsigned long long gen_ = 0;
  int active_ = 0;
};

Pool& pool() {
  static Pool* p = new Pool(std::max(1, env_int("FAKECUDA_WORKERS", 2)));
  return *p;
}

}  // namespace

void emu::syncthreads() { yield_to_scheduler(AT_BLOCK); }

double emu::warp_reduce(double v, int op) {
  Fiber* f = cur_fiber;
  f->val = v;
  f->op = op;
  yield_to_scheduler(AT_WARP);
  return cur_fiber->val;
}

// ---- the driver API ----------------------------------------------------------
extern "C" {

typedef int CUresult;
typedef int CUdevice;
typedef unsigned long long CUdeviceptr;

CUresult cuInit(unsigned) { return OK; }

CUresult cuDriverGetVersion(int* v) {
  *v = 12040;
  return OK;
}

CUresult cuGetErrorName(CUresult r, const char** s) {
  *s = result_name(r);
  return *s ? OK : INVALID_VALUE;
}

CUresult cuGetErrorString(CUresult r, const char** s) {
  *s = result_string(r);
  return *s ? OK : INVALID_VALUE;
}

CUresult cuDeviceGetCount(int* n) {
  *n = env_int("FAKECUDA_DEVICES", 1);
  return OK;
}

CUresult cuDeviceGet(CUdevice* d, int ordinal) {
  if (ordinal < 0 || ordinal >= env_int("FAKECUDA_DEVICES", 1)) return INVALID_DEVICE;
  *d = ordinal;
  return OK;
}

CUresult cuDeviceGetName(char* name, int len, CUdevice) {
  snprintf(name, len, "optnet fakecuda (host emulation)");
  return OK;
}

CUresult cuDeviceGetAttribute(int* v, int attr, CUdevice) {
  switch (attr) {
    case 1: *v = 1024; break;           // max threads per block
    case 8: *v = kSharedDefault; break; // shared memory per block
    case 16: *v = 2; break;             // multiprocessors
    case 75: *v = 9; break;             // compute capability
    case 76: *v = 0; break;
    case 81: *v = 233472; break;        // shared memory per multiprocessor
    case 97: *v = kSharedOptin; break;  // opt-in shared memory per block
    default: *v = 0;
  }
  return OK;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice) {
  *bytes = (size_t)8 << 30;
  return OK;
}

CUresult cuDevicePrimaryCtxRetain(void** ctx, CUdevice) {
  *ctx = &ctx_token;
  return OK;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice) { return OK; }

CUresult cuCtxSetCurrent(void* ctx) {
  if (ctx != nullptr && ctx != &ctx_token) return INVALID_CONTEXT;
  current_ctx = ctx;
  return OK;
}

CUresult cuCtxSynchronize() { return have_ctx() ? OK : INVALID_CONTEXT; }

CUresult cuModuleLoadDataEx(void** mod, const void* image, unsigned nopt, int* opts, void** vals) {
  if (!have_ctx()) return INVALID_CONTEXT;
  const char* s = (const char*)image;
  std::string ptx(s, strnlen(s, 64 << 20));
  std::string err;
  if (ptx.find(".version") == std::string::npos || ptx.find(".target") == std::string::npos)
    err = "not PTX text (no .version/.target)";
  if (!err.empty()) {
    char* log = nullptr;
    size_t cap = 0;
    for (unsigned i = 0; i < nopt; i++) {
      if (opts[i] == 5) log = (char*)vals[i];  // CU_JIT_ERROR_LOG_BUFFER
      if (opts[i] == 6) cap = (size_t)vals[i];  // its size
    }
    if (log && cap > 0) snprintf(log, cap, "fakecuda: %s", err.c_str());
    return INVALID_PTX;
  }
  *mod = new Module{ptx};
  return OK;
}

CUresult cuModuleUnload(void* mod) {
  if (!have_ctx()) return INVALID_CONTEXT;
  delete (Module*)mod;
  return OK;
}

CUresult cuModuleGetFunction(void** fn, void* mod, const char* name) {
  if (!have_ctx()) return INVALID_CONTEXT;
  const Module* m = (const Module*)mod;
  // The PTX must declare the entry (checks the embedded PTX matches the
  // source the emulator was built from).
  std::string decl = std::string(".entry ") + name + "(";
  if (m->ptx.find(decl) == std::string::npos) return NOT_FOUND;
  for (const auto& k : kernel_table)
    if (strcmp(k.name, name) == 0) {
      *fn = new Function{&k, kSharedDefault};
      return OK;
    }
  return NOT_FOUND;
}

CUresult cuFuncGetAttribute(int* v, int attr, void* fn) {
  const Function* f = (const Function*)fn;
  switch (attr) {
    case 0: *v = 1024; break;
    case 1: *v = 0; break;
    case 3: *v = 0; break;
    case 4: *v = 64; break;
    case 8: *v = f->max_dynamic_shared; break;
    default: *v = 0;
  }
  return OK;
}

CUresult cuFuncSetAttribute(void* fn, int attr, int v) {
  Function* f = (Function*)fn;
  if (attr != 8) return INVALID_VALUE;
  if (v < 0 || v > kSharedOptin) return INVALID_VALUE;
  f->max_dynamic_shared = v;
  return OK;
}

CUresult cuLaunchKernel(void* fn, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                        unsigned shmem, void* stream, void** params, void** extra) {
  (void)stream;
  if (!have_ctx()) return INVALID_CONTEXT;
  const Function* f = (const Function*)fn;
  if (extra != nullptr || params == nullptr || params[0] == nullptr) return INVALID_VALUE;
  const unsigned nt = bx * by * bz;
  if (by != 1 || bz != 1 || nt == 0 || nt > 1024 || nt % 32 != 0) {
    fail_msg("launch of " + std::string(f->k->name) + ": blockDim must be (32·w, 1, 1)");
    return INVALID_VALUE;
  }
  if (gx == 0 || gy == 0 || gz == 0) return INVALID_VALUE;
  if ((int)shmem > f->max_dynamic_shared) {
    fail_msg("launch of " + std::string(f->k->name) + ": " + std::to_string(shmem) +
             " bytes of dynamic shared memory above the function's limit " + std::to_string(f->max_dynamic_shared));
    return INVALID_VALUE;
  }
  std::vector<char> pbuf(f->k->param_size);
  memcpy(pbuf.data(), params[0], pbuf.size());
  Job job;
  job.k = f->k;
  job.params = pbuf.data();
  job.grid = {gx, gy, gz};
  job.nt = nt;
  job.shmem = shmem;
  job.nblocks = (unsigned long long)gx * gy * gz;
  job.seed = (unsigned long long)env_int("FAKECUDA_SEED", 1);
  std::string err = pool().run(job);
  {
    std::lock_guard<std::mutex> g(mu);
    launches++;
  }
  if (!err.empty()) {
    fail_msg(err);
    return LAUNCH_FAILED;
  }
  return OK;
}

CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
  if (!have_ctx()) return INVALID_CONTEXT;
  if (bytes == 0) return INVALID_VALUE;
  Region r = map_guarded(bytes, 16);
  if (!r.base) return OUT_OF_MEMORY;
  std::lock_guard<std::mutex> g(mu);
  allocs[(uintptr_t)r.ptr] = r;
  *p = (CUdeviceptr)r.ptr;
  return OK;
}

CUresult cuMemFree_v2(CUdeviceptr p) {
  if (!have_ctx()) return INVALID_CONTEXT;
  std::lock_guard<std::mutex> g(mu);
  auto it = allocs.find((uintptr_t)p);
  if (it == allocs.end()) return INVALID_VALUE;
  munmap(it->second.base, it->second.len);
  allocs.erase(it);
  return OK;
}

CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
  if (!have_ctx()) return INVALID_CONTEXT;
  *total = (size_t)8 << 30;
  *free = *total;
  return OK;
}

CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void*) {
  if (!have_ctx()) return INVALID_CONTEXT;
  if (!in_alloc(dst, n)) {
    fail_msg("cuMemcpyHtoD outside an allocation");
    return INVALID_VALUE;
  }
  memcpy((void*)dst, src, n);
  return OK;
}

CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void*) {
  if (!have_ctx()) return INVALID_CONTEXT;
  if (!in_alloc(src, n)) {
    fail_msg("cuMemcpyDtoH outside an allocation");
    return INVALID_VALUE;
  }
  memcpy(dst, (const void*)src, n);
  return OK;
}

CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, void*) {
  if (!have_ctx()) return INVALID_CONTEXT;
  if (!in_alloc(dst, n)) {
    fail_msg("cuMemsetD8 outside an allocation");
    return INVALID_VALUE;
  }
  memset((void*)dst, v, n);
  return OK;
}

CUresult cuStreamCreate(void** s, unsigned) {
  if (!have_ctx()) return INVALID_CONTEXT;
  *s = new int(0);
  return OK;
}

CUresult cuStreamDestroy_v2(void* s) {
  if (!have_ctx()) return INVALID_CONTEXT;
  delete (int*)s;
  return OK;
}

CUresult cuStreamSynchronize(void*) { return have_ctx() ? OK : INVALID_CONTEXT; }

CUresult cuEventCreate(void** e, unsigned) {
  if (!have_ctx()) return INVALID_CONTEXT;
  *e = new double(0);
  return OK;
}

CUresult cuEventDestroy_v2(void* e) {
  delete (double*)e;
  return OK;
}

CUresult cuEventRecord(void* e, void*) {
  if (!have_ctx()) return INVALID_CONTEXT;
  *(double*)e = (double)std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  return OK;
}

CUresult cuEventSynchronize(void*) { return OK; }

CUresult cuEventElapsedTime(float* ms, void* start, void* end) {
  *ms = (float)((*(double*)end - *(double*)start) / 1e6);
  return OK;
}

// ---- test hooks (not part of the driver API) ---------------------------------
int fakecuda_live_allocs() {
  std::lock_guard<std::mutex> g(mu);
  return (int)allocs.size();
}

long long fakecuda_launches() {
  std::lock_guard<std::mutex> g(mu);
  return launches;
}

}  // extern "C"
