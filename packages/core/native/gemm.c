/*
 * Single-precision GEMM and row kernels, compiled once per instruction set (see build.mjs: the
 * same source with -DISC_VW=16 -mavx512f, -DISC_VW=8 -mavx2 -mfma, or baseline SSE2) and picked
 * at run time in isc_native.c. GCC/Clang vector extensions keep one source for all three.
 *
 * Goto-style blocking: B is packed into KC x NR strips (reused from L1 across the rows of a block
 * of A), A into MR x KC strips (a block of MC rows stays in L2); an MR x NR register tile of
 * accumulators does the work. Transposed operands are handled by the packing, so every layout
 * runs the same inner loop.
 */
#include <stddef.h>
#include <string.h>
#include "gemm.h"

#ifndef ISC_VW
#error "ISC_VW (floats per vector) must be defined"
#endif
#define VW ISC_VW
#if VW == 16
#define MR 8
#define SUFFIX(n) n##_avx512
#elif VW == 8
#define MR 6
#define SUFFIX(n) n##_avx2
#else
#define MR 4
#define SUFFIX(n) n##_sse
#endif
#define NR (2 * VW)

typedef float vf __attribute__((vector_size(VW * 4)));
typedef float vfu __attribute__((vector_size(VW * 4), aligned(4)));
typedef int vi __attribute__((vector_size(VW * 4)));

/* mask ? a : b, lane-wise (C has no vector ?: operator). */
static inline vf vsel(vi mask, vf a, vf b) { return (vf)(((vi)a & mask) | ((vi)b & ~mask)); }

/* Ap[strip][k][r] for rows i0..i0+mc, depths p0..p0+kc; rows past mc are zero. The loop order
 * follows the source layout, so reads are contiguous (writes land in the small, cached strip). */
static void pack_a(const float *a, int tA, long M, long K, long i0, long mc, long p0, long kc, float *ap) {
  for (long s = 0; s < mc; s += MR) {
    long rows = mc - s < MR ? mc - s : MR;
    if (tA) {
      for (long k = 0; k < kc; k++) {
        const float *src = a + (p0 + k) * M + i0 + s;
        for (long r = 0; r < rows; r++) ap[k * MR + r] = src[r];
        for (long r = rows; r < MR; r++) ap[k * MR + r] = 0.f;
      }
    } else {
      for (long r = 0; r < rows; r++) {
        const float *src = a + (i0 + s + r) * K + p0;
        for (long k = 0; k < kc; k++) ap[k * MR + r] = src[k];
      }
      for (long r = rows; r < MR; r++)
        for (long k = 0; k < kc; k++) ap[k * MR + r] = 0.f;
    }
    ap += kc * MR;
  }
}

/* Bp[strip][k][c] for columns j0..j0+nc, depths p0..p0+kc; columns past nc are zero. */
static void pack_b(const float *b, int tB, long K, long N, long p0, long kc, long j0, long nc, float *bp) {
  for (long s = 0; s < nc; s += NR) {
    long cols = nc - s < NR ? nc - s : NR;
    if (!tB) {
      for (long k = 0; k < kc; k++) {
        const float *src = b + (p0 + k) * N + j0 + s;
        if (cols == NR) memcpy(bp + k * NR, src, NR * sizeof(float));
        else {
          for (long c = 0; c < cols; c++) bp[k * NR + c] = src[c];
          for (long c = cols; c < NR; c++) bp[k * NR + c] = 0.f;
        }
      }
    } else {
      for (long c = 0; c < cols; c++) {
        const float *src = b + (j0 + s + c) * K + p0;
        for (long k = 0; k < kc; k++) bp[k * NR + c] = src[k];
      }
      for (long c = cols; c < NR; c++)
        for (long k = 0; k < kc; k++) bp[k * NR + c] = 0.f;
    }
    bp += kc * NR;
  }
}

/* C[0:mr, 0:nr] (row stride ldc) = (accumulate ? C : 0) + Ap-strip · Bp-strip. */
static void tile(long kc, const float *ap, const float *bp, float *c, long ldc, int accumulate, long mr, long nr) {
  vf acc0[MR], acc1[MR];
  for (int i = 0; i < MR; i++) acc0[i] = acc1[i] = (vf){0};
  for (long k = 0; k < kc; k++) {
    vf b0 = *(const vf *)(bp + k * NR);
    vf b1 = *(const vf *)(bp + k * NR + VW);
    const float *ak = ap + k * MR;
    for (int i = 0; i < MR; i++) {
      acc0[i] += ak[i] * b0;
      acc1[i] += ak[i] * b1;
    }
  }
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      vfu *row = (vfu *)(c + i * ldc);
      if (accumulate) {
        row[0] += acc0[i];
        row[1] += acc1[i];
      } else {
        row[0] = acc0[i];
        row[1] = acc1[i];
      }
    }
    return;
  }
  float tmp[MR * NR] __attribute__((aligned(64)));
  for (int i = 0; i < MR; i++) {
    *(vf *)(tmp + i * NR) = acc0[i];
    *(vf *)(tmp + i * NR + VW) = acc1[i];
  }
  for (long i = 0; i < mr; i++)
    for (long j = 0; j < nr; j++) c[i * ldc + j] = (accumulate ? c[i * ldc + j] : 0.f) + tmp[i * NR + j];
}

void SUFFIX(isc_gemm_block)(const float *a, const float *b, float *c, long M, long K, long N, int tA, int tB, long i0, long i1, long j0, long j1,
                            float *ap, float *bp) {
  if (K == 0) {
    for (long i = i0; i < i1; i++) memset(c + i * N + j0, 0, (size_t)(j1 - j0) * sizeof(float));
    return;
  }
  for (long jc = j0; jc < j1; jc += ISC_NC) {
    long nc = j1 - jc < ISC_NC ? j1 - jc : ISC_NC;
    for (long pc = 0; pc < K; pc += ISC_KC) {
      long kc = K - pc < ISC_KC ? K - pc : ISC_KC;
      pack_b(b, tB, K, N, pc, kc, jc, nc, bp);
      for (long ic = i0; ic < i1; ic += ISC_MC) {
        long mc = i1 - ic < ISC_MC ? i1 - ic : ISC_MC;
        pack_a(a, tA, M, K, ic, mc, pc, kc, ap);
        for (long jr = 0; jr < nc; jr += NR) {
          long nr = nc - jr < NR ? nc - jr : NR;
          for (long ir = 0; ir < mc; ir += MR) {
            long mr = mc - ir < MR ? mc - ir : MR;
            tile(kc, ap + (ir / MR) * kc * MR, bp + (jr / NR) * kc * NR, c + (ic + ir) * N + jc + jr, N, pc > 0, mr, nr);
          }
        }
      }
    }
  }
}

/* exp for x in [-87.3, 88.7] (inputs are clamped), ~2 ulp: 2^n · p(r) with x = n·ln2 + r, |r| <= ln2/2. */
static inline vf vexp(vf x) {
  const vf hi = (vf){0} + 88.3762626647949f, lo = (vf){0} - 87.3365447504f;
  x = vsel(x > hi, hi, x);
  x = vsel(x < lo, lo, x);
  vf fx = x * 1.44269504088896341f;
  vi n = __builtin_convertvector(fx + vsel(fx >= 0, (vf){0} + 0.5f, (vf){0} - 0.5f), vi); /* round half away from 0 */
  vf nf = __builtin_convertvector(n, vf);
  vf r = x - nf * 0.693359375f + nf * 2.12194440e-4f;
  vf p = (vf){0} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  vi bits = (n + 127) << 23;
  vf scale;
  memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

static inline float hmax(vf v) {
  float m = v[0];
  for (int i = 1; i < VW; i++) m = v[i] > m ? v[i] : m;
  return m;
}
static inline float hsum(vf v) {
  float s = 0.f;
  for (int i = 0; i < VW; i++) s += v[i];
  return s;
}
/* The last n % VW elements of a row, as one vector: lanes past the end read `fill`. */
static inline vf load_tail(const float *x, long len, float fill) {
  float tmp[VW];
  for (long i = 0; i < VW; i++) tmp[i] = i < len ? x[i] : fill;
  vf v;
  memcpy(&v, tmp, sizeof v);
  return v;
}
static inline void store_tail(float *x, long len, vf v) {
  float tmp[VW];
  memcpy(tmp, &v, sizeof v);
  for (long i = 0; i < len; i++) x[i] = tmp[i];
}

/* Returns max_j x[j] and sum_j exp(x[j] - max). */
void SUFFIX(isc_lse_row)(const float *x, long n, float *max_out, float *sum_out) {
  const float lowest = -3.4e38f;
  long full = n - n % VW, tail = n - full;
  vf m = (vf){0} + lowest;
  for (long j = 0; j < full; j += VW) {
    vf v = *(const vfu *)(x + j);
    m = vsel(v > m, v, m);
  }
  if (tail) {
    vf v = load_tail(x + full, tail, lowest);
    m = vsel(v > m, v, m);
  }
  float mx = hmax(m);
  vf s = (vf){0};
  for (long j = 0; j < full; j += VW) s += vexp(*(const vfu *)(x + j) - mx);
  if (tail) s += vexp(load_tail(x + full, tail, lowest) - mx); /* exp(lowest - mx) = 0 */
  *max_out = mx;
  *sum_out = hsum(s);
}

/* out[j] = exp(x[j] - y) * g: one row of the log-sum-exp gradient. */
void SUFFIX(isc_softmax_scale_row)(const float *x, long n, float y, float g, float *out) {
  long full = n - n % VW;
  for (long j = 0; j < full; j += VW) *(vfu *)(out + j) = vexp(*(const vfu *)(x + j) - y) * g;
  if (n > full) store_tail(out + full, n - full, vexp(load_tail(x + full, n - full, 0.f) - y) * g);
}

/* One row of softmax(x * mult + add): the attention pattern from raw scores and the causal mask. */
void SUFFIX(isc_masked_softmax_row)(const float *x, const float *mult, const float *add, long n, float *out) {
  const float lowest = -3.4e38f;
  long full = n - n % VW, tail = n - full;
  vf m = (vf){0} + lowest;
  for (long j = 0; j < full; j += VW) {
    vf s = *(const vfu *)(x + j) * *(const vfu *)(mult + j) + *(const vfu *)(add + j);
    *(vfu *)(out + j) = s;
    m = vsel(s > m, s, m);
  }
  vf st = (vf){0};
  if (tail) {
    st = load_tail(x + full, tail, 0.f) * load_tail(mult + full, tail, 0.f) + load_tail(add + full, tail, lowest);
    m = vsel(st > m, st, m);
  }
  float mx = hmax(m);
  vf acc = (vf){0};
  for (long j = 0; j < full; j += VW) {
    vf e = vexp(*(const vfu *)(out + j) - mx);
    *(vfu *)(out + j) = e;
    acc += e;
  }
  vf et = (vf){0};
  if (tail) {
    et = vexp(st - mx); /* padded lanes: exp(lowest - mx) = 0 */
    acc += et;
  }
  float inv = 1.0f / hsum(acc);
  for (long j = 0; j < full; j += VW) *(vfu *)(out + j) *= inv;
  if (tail) store_tail(out + full, tail, et * inv);
}
