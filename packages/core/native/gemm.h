/* Per-ISA kernels of gemm.c; see isc_native.c for the dispatch. */
#ifndef ISC_GEMM_H
#define ISC_GEMM_H
#define ISC_KC 256
#define ISC_MC 96
#define ISC_NC 1024
/* Pack buffers each variant needs (floats), with room for a partial last strip. */
#define ISC_AP_FLOATS ((ISC_MC + 16) * ISC_KC)
#define ISC_BP_FLOATS ((ISC_NC + 32) * ISC_KC)

#define ISC_DECLARE(sfx)                                                                                                                         \
  void isc_gemm_block_##sfx(const float *a, const float *b, float *c, long M, long K, long N, int tA, int tB, long i0, long i1, long j0, long j1, \
                            float *ap, float *bp);                                                                                               \
  void isc_lse_row_##sfx(const float *x, long n, float *max_out, float *sum_out);                                                              \
  void isc_softmax_scale_row_##sfx(const float *x, long n, float y, float g, float *out);                                                    \
  void isc_masked_softmax_row_##sfx(const float *x, const float *mult, const float *add, long n, float *out);
ISC_DECLARE(avx512)
ISC_DECLARE(avx2)
ISC_DECLARE(sse)
#endif
