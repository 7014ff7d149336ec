// im2col and col2im for 2-D convolution: the GPU twins of im2col() and col2im() in
// tinydl/ops/conv.py, which are their reference and define the layouts:
//
//   x     (N, C, H, W)                 C-contiguous images
//   cols  (C, KH, KW, N, OH, OW)       C-contiguous, seen by conv.py as (C·KH·KW, N·OH·OW)
//
// Output pixel (oh, ow) at kernel position (i, j) reads input pixel
// (oh·stride_h − pad_h + i, ow·stride_w − pad_w + j); outside the image it reads 0.
//
// Compiled at run time by NVRTC (through CuPy's RawModule), so: no #include, and
// extern "C" entry points that CuPy finds by name, one per dtype (_f32, _f64).
// Indices are 64-bit: cols can hold more than 2³¹ elements for large batches.

__device__ __forceinline__ long long first_index() {
    return blockIdx.x * (long long)blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long index_stride() {
    return (long long)gridDim.x * blockDim.x;
}

// One thread per column element: each reads its one input pixel (or the zero padding).
template <typename T>
__device__ void im2col(const T* __restrict__ x, T* __restrict__ cols, int batch, int channels,
                       int height, int width, int kernel_h, int kernel_w, int stride_h,
                       int stride_w, int pad_h, int pad_w, int out_h, int out_w) {
    const long long total = (long long)channels * kernel_h * kernel_w * batch * out_h * out_w;
    for (long long index = first_index(); index < total; index += index_stride()) {
        long long rest = index;
        const int ow = rest % out_w;
        rest /= out_w;
        const int oh = rest % out_h;
        rest /= out_h;
        const int n = rest % batch;
        rest /= batch;
        const int j = rest % kernel_w;
        rest /= kernel_w;
        const int i = rest % kernel_h;
        const int c = rest / kernel_h;
        const int row = oh * stride_h - pad_h + i;
        const int col = ow * stride_w - pad_w + j;
        const bool inside = row >= 0 && row < height && col >= 0 && col < width;
        cols[index] = inside ? x[(((long long)n * channels + c) * height + row) * width + col]
                             : T(0);
    }
}

// The adjoint of im2col as a GATHER: one thread per input pixel sums the column entries that
// read it. No two threads write the same pixel, so no atomics are needed and the result is
// deterministic. The windows are visited in the order conv.py's col2im adds them (kernel
// position (i, j) increasing, which is window (oh, ow) decreasing), so both sum alike.
template <typename T>
__device__ void col2im(const T* __restrict__ cols, T* __restrict__ x, int batch, int channels,
                       int height, int width, int kernel_h, int kernel_w, int stride_h,
                       int stride_w, int pad_h, int pad_w, int out_h, int out_w) {
    const long long total = (long long)batch * channels * height * width;
    const long long windows = (long long)out_h * out_w;
    for (long long index = first_index(); index < total; index += index_stride()) {
        long long rest = index;
        const int w = rest % width;
        rest /= width;
        const int h = rest % height;
        rest /= height;
        const int c = rest % channels;
        const int n = rest / channels;
        const int row = h + pad_h;  // in the padded image
        const int col = w + pad_w;
        // The windows that contain the pixel: oh·stride_h ≤ row < oh·stride_h + kernel_h.
        const int oh_first = row < kernel_h ? 0 : (row - kernel_h) / stride_h + 1;
        const int oh_last = min(row / stride_h, out_h - 1);
        const int ow_first = col < kernel_w ? 0 : (col - kernel_w) / stride_w + 1;
        const int ow_last = min(col / stride_w, out_w - 1);
        T sum = T(0);
        for (int oh = oh_last; oh >= oh_first; --oh) {
            const int i = row - oh * stride_h;
            for (int ow = ow_last; ow >= ow_first; --ow) {
                const int j = col - ow * stride_w;
                const long long column = ((long long)c * kernel_h + i) * kernel_w + j;
                sum += cols[(column * batch + n) * windows + (long long)oh * out_w + ow];
            }
        }
        x[index] = sum;
    }
}

extern "C" __global__ void im2col_f32(const float* x, float* cols, int batch, int channels,
                                      int height, int width, int kernel_h, int kernel_w,
                                      int stride_h, int stride_w, int pad_h, int pad_w,
                                      int out_h, int out_w) {
    im2col(x, cols, batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w,
           pad_h, pad_w, out_h, out_w);
}

extern "C" __global__ void im2col_f64(const double* x, double* cols, int batch, int channels,
                                      int height, int width, int kernel_h, int kernel_w,
                                      int stride_h, int stride_w, int pad_h, int pad_w,
                                      int out_h, int out_w) {
    im2col(x, cols, batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w,
           pad_h, pad_w, out_h, out_w);
}

extern "C" __global__ void col2im_f32(const float* cols, float* x, int batch, int channels,
                                      int height, int width, int kernel_h, int kernel_w,
                                      int stride_h, int stride_w, int pad_h, int pad_w,
                                      int out_h, int out_w) {
    col2im(cols, x, batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w,
           pad_h, pad_w, out_h, out_w);
}

extern "C" __global__ void col2im_f64(const double* cols, double* x, int batch, int channels,
                                      int height, int width, int kernel_h, int kernel_w,
                                      int stride_h, int stride_w, int pad_h, int pad_w,
                                      int out_h, int out_w) {
    col2im(cols, x, batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w,
           pad_h, pad_w, out_h, out_w);
}
