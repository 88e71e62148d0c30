/*
 * Node-API addon: multi-threaded GEMM and the unembedding's row kernels for the tfjs wasm backend
 * (native-kernels.ts registers them). tfjs-wasm runs on one thread with 128-bit SIMD; this uses
 * every core and the widest vectors the CPU has, reading and writing the wasm heap in place.
 * Arguments are checked against the typed arrays' lengths, so a wrong call throws instead of
 * writing out of bounds.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <pthread.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "gemm.h"
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#define MAX_THREADS 64

typedef void (*gemm_block_fn)(const float *, const float *, float *, long, long, long, int, int, long, long, long, long, float *, float *);
typedef void (*lse_row_fn)(const float *, long, float *, float *);
typedef void (*softmax_scale_row_fn)(const float *, long, float, float, float *);
typedef void (*masked_softmax_row_fn)(const float *, const float *, const float *, long, float *);

static struct {
  const char *isa;
  gemm_block_fn gemm_block;
  lse_row_fn lse_row;
  softmax_scale_row_fn softmax_scale_row;
  masked_softmax_row_fn masked_softmax_row;
} K;

/* ---- thread pool: the caller is thread 0, workers 1..n-1 wait for a generation bump ---- */
typedef void (*job_fn)(void *arg, int thread);
static int n_threads = 1;
static int n_started = 1; /* workers created so far + the caller */
static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_start = PTHREAD_COND_INITIALIZER, pool_done = PTHREAD_COND_INITIALIZER;
static long pool_generation = 0;
static int pool_pending = 0, pool_active = 1;
static job_fn pool_fn;
static void *pool_arg;
/* One caller at a time (Node worker threads share this process-wide pool). */
static pthread_mutex_t call_mu = PTHREAD_MUTEX_INITIALIZER;
static float *pack_a[MAX_THREADS], *pack_b[MAX_THREADS];

/*
 * Denormal floats cost ~50x per operation on Intel cores (attention probabilities of a sharp head
 * reach them: exp(-90) < FLT_MIN), which made pattern @ v 45x slower than q @ k^T there. Our kernels
 * run with flush-to-zero and denormals-are-zero; values below 1.2e-38 become 0, far inside the
 * 1e-4 the golden tests ask for. The caller's mode is restored, since V8's wasm needs IEEE denormals.
 */
static unsigned denormals_off(void) {
#if defined(__x86_64__) || defined(__i386__)
  unsigned old = _mm_getcsr();
  _mm_setcsr(old | 0x8040); /* FTZ | DAZ */
  return old;
#else
  return 0;
#endif
}

static void denormals_restore(unsigned old) {
#if defined(__x86_64__) || defined(__i386__)
  _mm_setcsr(old);
#else
  (void)old;
#endif
}

static void *worker_main(void *p) {
  int id = (int)(long)p;
  long seen = 0;
  denormals_off(); /* for the life of this thread: it runs only our kernels */
  for (;;) {
    pthread_mutex_lock(&pool_mu);
    while (pool_generation == seen) pthread_cond_wait(&pool_start, &pool_mu);
    seen = pool_generation;
    job_fn fn = pool_fn;
    void *arg = pool_arg;
    int run = id < pool_active;
    pthread_mutex_unlock(&pool_mu);
    if (run) fn(arg, id);
    pthread_mutex_lock(&pool_mu);
    if (--pool_pending == 0) pthread_cond_signal(&pool_done);
    pthread_mutex_unlock(&pool_mu);
  }
  return NULL;
}

static int ensure_buffers(int t) {
  if (pack_a[t]) return 1;
  if (posix_memalign((void **)&pack_a[t], 64, ISC_AP_FLOATS * sizeof(float))) return 0;
  if (posix_memalign((void **)&pack_b[t], 64, ISC_BP_FLOATS * sizeof(float))) return 0;
  return 1;
}

/* Runs fn on `threads` threads (caller included) and waits for all of them. */
static int pool_run(job_fn fn, void *arg, int threads) {
  if (threads > n_threads) threads = n_threads;
  for (int t = 0; t < threads; t++)
    if (!ensure_buffers(t)) return 0;
  unsigned mode = denormals_off();
  if (threads <= 1) {
    fn(arg, 0);
    denormals_restore(mode);
    return 1;
  }
  pthread_mutex_lock(&pool_mu);
  while (n_started < threads) {
    pthread_t th;
    if (pthread_create(&th, NULL, worker_main, (void *)(long)n_started) != 0) break;
    pthread_detach(th);
    n_started++;
  }
  pool_fn = fn;
  pool_arg = arg;
  pool_active = threads;
  pool_pending = n_started - 1;
  pool_generation++;
  pthread_cond_broadcast(&pool_start);
  pthread_mutex_unlock(&pool_mu);
  fn(arg, 0);
  denormals_restore(mode);
  pthread_mutex_lock(&pool_mu);
  while (pool_pending > 0) pthread_cond_wait(&pool_done, &pool_mu);
  pthread_mutex_unlock(&pool_mu);
  return 1;
}

/* ---- GEMM job: items are (batch, row chunk, column chunk), taken in order by whichever thread is free ---- */
typedef struct {
  const float *a, *b;
  float *c;
  long batch_a, batch_b, M, K, N;
  int tA, tB;
  long m_chunks, n_chunks, m_step, n_step, items;
  long next;
} gemm_job;

static void gemm_worker(void *p, int t) {
  gemm_job *j = p;
  for (;;) {
    long item = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
    if (item >= j->items) return;
    long per_batch = j->m_chunks * j->n_chunks;
    long bi = item / per_batch, rest = item % per_batch;
    long mi = rest / j->n_chunks, ni = rest % j->n_chunks;
    long i0 = mi * j->m_step, i1 = i0 + j->m_step < j->M ? i0 + j->m_step : j->M;
    long j0 = ni * j->n_step, j1 = j0 + j->n_step < j->N ? j0 + j->n_step : j->N;
    if (i0 >= i1 || j0 >= j1) continue;
    const float *a = j->a + (j->batch_a == 1 ? 0 : bi) * j->M * j->K;
    const float *b = j->b + (j->batch_b == 1 ? 0 : bi) * j->K * j->N;
    K.gemm_block(a, b, j->c + bi * j->M * j->N, j->M, j->K, j->N, j->tA, j->tB, i0, i1, j0, j1, pack_a[t], pack_b[t]);
  }
}

static long ceil_div(long a, long b) { return (a + b - 1) / b; }

static int gemm(const float *a, const float *b, float *c, long batch_a, long batch_b, long M, long K_, long N, int tA, int tB) {
  long batch = batch_a > batch_b ? batch_a : batch_b;
  gemm_job j = {a, b, c, batch_a, batch_b, M, K_, N, tA, tB, 1, 1, M, N, batch, 0};
  double flops = 2.0 * batch * M * N * K_;
  int threads = flops < 2e6 ? 1 : n_threads;
  /* Several items per thread, so a thread slowed by other load does not hold the rest up. */
  long target = 6L * threads;
  if (threads > 1 && batch < target) {
    long split = ceil_div(target, batch);
    j.n_chunks = split < N / 128 ? split : (N / 128 > 0 ? N / 128 : 1);
    long m_split = ceil_div(split, j.n_chunks);
    j.m_chunks = m_split < M / 96 ? m_split : (M / 96 > 0 ? M / 96 : 1);
    j.n_step = ceil_div(ceil_div(N, j.n_chunks), 32) * 32;
    j.m_step = ceil_div(ceil_div(M, j.m_chunks), 24) * 24;
    j.n_chunks = ceil_div(N, j.n_step);
    j.m_chunks = ceil_div(M, j.m_step);
    j.items = batch * j.m_chunks * j.n_chunks;
  }
  return pool_run(gemm_worker, &j, threads);
}

/* ---- row kernels: rows taken in chunks by whichever thread is free, one function per row ---- */
typedef struct rows_job rows_job;
struct rows_job {
  void (*row)(const rows_job *j, long r);
  const float *x, *y, *g, *mult, *add;
  float *out;
  long rows, cols, mask_rows, step, next;
};

static void rows_worker(void *p, int t) {
  (void)t;
  rows_job *j = p;
  for (;;) {
    long r0 = __atomic_fetch_add(&j->next, j->step, __ATOMIC_RELAXED);
    if (r0 >= j->rows) return;
    long r1 = r0 + j->step < j->rows ? r0 + j->step : j->rows;
    for (long r = r0; r < r1; r++) j->row(j, r);
  }
}

static void lse_row(const rows_job *j, long r) {
  float mx, sum;
  K.lse_row(j->x + r * j->cols, j->cols, &mx, &sum);
  j->out[r] = mx + logf(sum);
}

static void softmax_scale_row(const rows_job *j, long r) { K.softmax_scale_row(j->x + r * j->cols, j->cols, j->y[r], j->g[r], j->out + r * j->cols); }

/* Row r of x [batch · mask_rows, cols] uses mask row r % mask_rows. */
static void masked_softmax_row(const rows_job *j, long r) {
  long i = r % j->mask_rows;
  K.masked_softmax_row(j->x + r * j->cols, j->mult + i * j->cols, j->add + i * j->cols, j->cols, j->out + r * j->cols);
}

static int rows_threads(long rows, long cols) { return rows * cols < 65536 ? 1 : n_threads; }

/* Runs a row job on the pool, one caller at a time; 0 when the pack buffers could not be allocated. */
static int run_rows(rows_job *j) {
  pthread_mutex_lock(&call_mu);
  int ok = pool_run(rows_worker, j, rows_threads(j->rows, j->cols));
  pthread_mutex_unlock(&call_mu);
  return ok;
}

/* ---- Node-API glue ---- */
#define CHECK(call)                                                                                                                              \
  do {                                                                                                                                           \
    if ((call) != napi_ok) return throw_error(env, "isc_native: " #call " failed");                                                             \
  } while (0)

static napi_value throw_error(napi_env env, const char *msg) {
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static int get_f32(napi_env env, napi_value v, float **data, size_t *len) {
  napi_typedarray_type type;
  void *ptr;
  napi_value buf;
  size_t off;
  int is_ta = 0;
  bool b;
  if (napi_is_typedarray(env, v, &b) != napi_ok) return 0;
  is_ta = b;
  if (!is_ta) return 0;
  if (napi_get_typedarray_info(env, v, &type, len, &ptr, &buf, &off) != napi_ok || type != napi_float32_array) return 0;
  *data = ptr;
  return 1;
}

static int get_long(napi_env env, napi_value v, long *out) {
  int64_t x;
  if (napi_get_value_int64(env, v, &x) != napi_ok || x < 0) return 0;
  *out = (long)x;
  return 1;
}

/* gemm(a, b, c, batchA, batchB, M, K, N, transposeA, transposeB): c = op(a)·op(b), batched. */
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  size_t argc = 10;
  napi_value argv[10];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc != 10) return throw_error(env, "gemm: expected 10 arguments");
  float *a, *b, *c;
  size_t la, lb, lc;
  if (!get_f32(env, argv[0], &a, &la) || !get_f32(env, argv[1], &b, &lb) || !get_f32(env, argv[2], &c, &lc)) return throw_error(env, "gemm: a, b and c must be Float32Arrays");
  long d[5];
  for (int i = 0; i < 5; i++)
    if (!get_long(env, argv[3 + i], &d[i])) return throw_error(env, "gemm: sizes must be non-negative integers");
  bool tA, tB;
  CHECK(napi_get_value_bool(env, argv[8], &tA));
  CHECK(napi_get_value_bool(env, argv[9], &tB));
  long batch_a = d[0], batch_b = d[1], M = d[2], Kd = d[3], N = d[4];
  long batch = batch_a > batch_b ? batch_a : batch_b;
  if (!(batch_a == batch_b || batch_a == 1 || batch_b == 1)) return throw_error(env, "gemm: batch sizes must match or be 1");
  if ((size_t)(batch_a * M * Kd) != la || (size_t)(batch_b * Kd * N) != lb || (size_t)(batch * M * N) != lc) return throw_error(env, "gemm: array lengths do not match the sizes");
  pthread_mutex_lock(&call_mu);
  int ok = gemm(a, b, c, batch_a, batch_b, M, Kd, N, tA, tB);
  pthread_mutex_unlock(&call_mu);
  if (!ok) return throw_error(env, "gemm: out of memory for pack buffers");
  return NULL;
}

/* logSumExpRows(x [rows*cols], out [rows], rows, cols) */
static napi_value js_lse(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *out;
  size_t lx, lo;
  long rows, cols;
  if (argc != 4 || !get_f32(env, argv[0], &x, &lx) || !get_f32(env, argv[1], &out, &lo) || !get_long(env, argv[2], &rows) || !get_long(env, argv[3], &cols))
    return throw_error(env, "logSumExpRows(x, out, rows, cols): bad arguments");
  if ((size_t)(rows * cols) != lx || (size_t)rows != lo || cols == 0) return throw_error(env, "logSumExpRows: array lengths do not match the sizes");
  rows_job j = {.row = lse_row, .x = x, .out = out, .rows = rows, .cols = cols, .mask_rows = 1, .step = 8};
  if (!run_rows(&j)) return throw_error(env, "logSumExpRows: out of memory");
  return NULL;
}

/* softmaxScaleRows(x [rows*cols], y [rows], g [rows], out [rows*cols]): out = exp(x - y) * g, row-wise. */
static napi_value js_softmax_scale(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *y, *g, *out;
  size_t lx, ly, lg, lo;
  long rows, cols;
  if (argc != 6 || !get_f32(env, argv[0], &x, &lx) || !get_f32(env, argv[1], &y, &ly) || !get_f32(env, argv[2], &g, &lg) || !get_f32(env, argv[3], &out, &lo) ||
      !get_long(env, argv[4], &rows) || !get_long(env, argv[5], &cols))
    return throw_error(env, "softmaxScaleRows(x, y, g, out, rows, cols): bad arguments");
  if ((size_t)(rows * cols) != lx || (size_t)(rows * cols) != lo || (size_t)rows != ly || (size_t)rows != lg) return throw_error(env, "softmaxScaleRows: array lengths do not match the sizes");
  rows_job j = {.row = softmax_scale_row, .x = x, .y = y, .g = g, .out = out, .rows = rows, .cols = cols, .mask_rows = 1, .step = 8};
  if (!run_rows(&j)) return throw_error(env, "softmaxScaleRows: out of memory");
  return NULL;
}

/* maskedSoftmax(x, mult, add, out, rows, cols, maskRows): out = softmax(x * mult + add) per row; row r uses mask row r % maskRows. */
static napi_value js_masked_softmax(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  float *x, *mult, *add, *out;
  size_t lx, lm, la, lo;
  long rows, cols, mask_rows;
  if (argc != 7 || !get_f32(env, argv[0], &x, &lx) || !get_f32(env, argv[1], &mult, &lm) || !get_f32(env, argv[2], &add, &la) || !get_f32(env, argv[3], &out, &lo) ||
      !get_long(env, argv[4], &rows) || !get_long(env, argv[5], &cols) || !get_long(env, argv[6], &mask_rows))
    return throw_error(env, "maskedSoftmax(x, mult, add, out, rows, cols, maskRows): bad arguments");
  if (cols == 0 || mask_rows == 0 || rows % mask_rows != 0 || (size_t)(rows * cols) != lx || (size_t)(rows * cols) != lo || (size_t)(mask_rows * cols) != lm ||
      (size_t)(mask_rows * cols) != la)
    return throw_error(env, "maskedSoftmax: array lengths do not match the sizes");
  rows_job j = {.row = masked_softmax_row, .x = x, .mult = mult, .add = add, .out = out, .rows = rows, .cols = cols, .mask_rows = mask_rows, .step = 32};
  if (!run_rows(&j)) return throw_error(env, "maskedSoftmax: out of memory");
  return NULL;
}

/* setThreads(n): 0 = one per online CPU. Returns the count in use. */
static napi_value js_set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  long n;
  if (argc != 1 || !get_long(env, argv[0], &n)) return throw_error(env, "setThreads(n): n must be a non-negative integer");
  if (n == 0) n = sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) n = 1;
  if (n > MAX_THREADS) n = MAX_THREADS;
  pthread_mutex_lock(&call_mu);
  n_threads = (int)n;
  pthread_mutex_unlock(&call_mu);
  CHECK(napi_create_int32(env, n_threads, &result));
  return result;
}

static napi_value js_info(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value obj, isa, threads;
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_string_utf8(env, K.isa, NAPI_AUTO_LENGTH, &isa));
  CHECK(napi_create_int32(env, n_threads, &threads));
  CHECK(napi_set_named_property(env, obj, "isa", isa));
  CHECK(napi_set_named_property(env, obj, "threads", threads));
  return obj;
}

static void pick_isa(void) {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && !getenv("ISC_NATIVE_NO_AVX512")) {
    K.isa = "avx512";
    K.gemm_block = isc_gemm_block_avx512;
    K.lse_row = isc_lse_row_avx512;
    K.softmax_scale_row = isc_softmax_scale_row_avx512;
    K.masked_softmax_row = isc_masked_softmax_row_avx512;
  } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    K.isa = "avx2";
    K.gemm_block = isc_gemm_block_avx2;
    K.lse_row = isc_lse_row_avx2;
    K.softmax_scale_row = isc_softmax_scale_row_avx2;
    K.masked_softmax_row = isc_masked_softmax_row_avx2;
  } else {
    K.isa = "sse2";
    K.gemm_block = isc_gemm_block_sse;
    K.lse_row = isc_lse_row_sse;
    K.softmax_scale_row = isc_softmax_scale_row_sse;
    K.masked_softmax_row = isc_masked_softmax_row_sse;
  }
}

NAPI_MODULE_INIT() {
  static int once = 0;
  if (!once) {
    once = 1;
    pick_isa();
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    n_threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (int)n;
  }
  napi_property_descriptor props[] = {
      {"gemm", NULL, js_gemm, NULL, NULL, NULL, napi_default, NULL},
      {"logSumExpRows", NULL, js_lse, NULL, NULL, NULL, napi_default, NULL},
      {"softmaxScaleRows", NULL, js_softmax_scale, NULL, NULL, NULL, napi_default, NULL},
      {"maskedSoftmax", NULL, js_masked_softmax, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, js_set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"info", NULL, js_info, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}
