// AVX2 + FMA port of /work/shared/reference/fma_peak.c (that one uses AVX-512 and dies with SIGILL
// on CPUs without it, e.g. the AMD EPYC (Zen 3) dev machines). Same method: a latency-bound chain gives
// the effective clock, NCH independent chains give the fp32 FMA throughput peak.
// Build: gcc -O2 -mavx2 -mfma -fopenmp fma_peak_avx2.c -o fma_peak_avx2 ; run: ./fma_peak_avx2 [reps]
// Last lines: "RESULT threads=N gflops_median=X gflops_best=Y" (one per thread count, for scripts).
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <omp.h>
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
// 16 ymm registers: 12 accumulators + 2 constants fit without spills, and 12 >= 4-cycle latency x 2 FMA pipes.
#define NCH 12
static float hsum(__m256 v){
  __m128 s=_mm_add_ps(_mm256_castps256_ps128(v),_mm256_extractf128_ps(v,1));
  s=_mm_hadd_ps(s,s); s=_mm_hadd_ps(s,s); return _mm_cvtss_f32(s);
}
static float thr_run(long iters){
  __m256 acc[NCH]; __m256 a=_mm256_set1_ps(0.999999f), b=_mm256_set1_ps(1e-7f);
  for(int i=0;i<NCH;i++) acc[i]=_mm256_set1_ps((float)i);
  for(long k=0;k<iters;k++){
#pragma GCC unroll 12
    for(int i=0;i<NCH;i++) acc[i]=_mm256_fmadd_ps(acc[i],a,b);
  }
  __m256 s=acc[0]; for(int i=1;i<NCH;i++) s=_mm256_add_ps(s,acc[i]);
  return hsum(s);
}
static float lat_run(long iters){
  __m256 x=_mm256_set1_ps(1.0f), a=_mm256_set1_ps(0.999999f), b=_mm256_set1_ps(1e-7f);
  for(long k=0;k<iters;k++){ x=_mm256_fmadd_ps(x,a,b); x=_mm256_fmadd_ps(x,a,b); x=_mm256_fmadd_ps(x,a,b); x=_mm256_fmadd_ps(x,a,b);}
  return hsum(x);
}
static int cmpd(const void*p,const void*q){double a=*(const double*)p,b=*(const double*)q;return (a>b)-(a<b);}
int main(int argc,char**argv){
  int reps = argc>1 ? atoi(argv[1]) : 5; if(reps<1) reps=1; if(reps>32) reps=32;
  volatile float sink=0; long it=200000000L;
  for(int rep=0;rep<3;rep++){
    double t0=now(); sink+=lat_run(it/4); double t=now()-t0;
    printf("latency chain: %ld dependent ymm FMAs in %.3f s -> %.2f GHz (assuming 4-cycle FMA latency)\n", it, t, it*4.0/t/1e9);
  }
  double res[2][32];
  for(int nt=1;nt<=2;nt++){
    for(int rep=0;rep<reps;rep++){
      long ti=100000000L; double t0=now();
      #pragma omp parallel num_threads(nt)
      { float r=thr_run(ti);
        #pragma omp atomic
        sink+=r; }
      double t=now()-t0; double fl=(double)nt*ti*NCH*16.0;  // 8 lanes x 2 flops per ymm FMA
      res[nt-1][rep]=fl/t/1e9;
      printf("throughput %d thr: %.1f GFLOP/s (%.1f per core; = %.2f GHz x 2 FMA ports x 8 lanes x 2)\n", nt, fl/t/1e9, fl/t/1e9/nt, fl/t/1e9/nt/32);
    }
  }
  for(int nt=1;nt<=2;nt++){
    qsort(res[nt-1],reps,sizeof(double),cmpd);
    double med = reps%2 ? res[nt-1][reps/2] : 0.5*(res[nt-1][reps/2-1]+res[nt-1][reps/2]);
    printf("RESULT threads=%d gflops_median=%.2f gflops_best=%.2f\n", nt, med, res[nt-1][reps-1]);
  }
  printf("sink %g\n", (double)sink); return 0;
}
