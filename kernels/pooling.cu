// 2-D max-pooling: the GPU twin of MaxPool2D in tinydl/ops/pooling.py, its reference.
//
//   x        (N, C, H, W)      C-contiguous images
//   y        (N, C, OH, OW)    each window's maximum
//   argmax   (N, C, OH, OW)    int32: the winning kernel position k = i·KW + j in its window
//
// argmax holds exactly what the NumPy path stores, so either backward can follow either
// forward. Padding counts as −∞. Ties: the first maximum in the window (row-major) wins.
//
// Compiled at run time by NVRTC (through CuPy's RawModule), so: no #include, and
// extern "C" entry points that CuPy finds by name, one per dtype (_f32, _f64).

__device__ __forceinline__ long long first_index() {
    return blockIdx.x * (long long)blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long index_stride() {
    return (long long)gridDim.x * blockDim.x;
}

template <typename T>
__device__ T negative_infinity();

template <>
__device__ float negative_infinity<float>() {
    return __int_as_float((int)0xff800000);
}

template <>
__device__ double negative_infinity<double>() {
    return __longlong_as_double((long long)0xfff0000000000000ULL);
}

// One thread per output element: a running maximum over the window's kernel positions.
// The comparisons copy pooling.py's: a strictly greater value moves the argmax (so a tie
// keeps the earlier position), and a NaN becomes the maximum without moving it (np.maximum).
template <typename T>
__device__ void max_pool_forward(const T* __restrict__ x, T* __restrict__ y,
                                 int* __restrict__ argmax, int batch, int channels, int height,
                                 int width, int kernel_h, int kernel_w, int stride_h,
                                 int stride_w, int pad_h, int pad_w, int out_h, int out_w) {
    const long long total = (long long)batch * channels * out_h * out_w;
    for (long long index = first_index(); index < total; index += index_stride()) {
        const int ow = index % out_w;
        const int oh = (index / out_w) % out_h;
        const long long plane = index / ((long long)out_h * out_w);  // n·C + c
        const T* image = x + plane * height * width;
        T best = negative_infinity<T>();
        int best_position = 0;
        for (int i = 0; i < kernel_h; ++i) {
            const int row = oh * stride_h - pad_h + i;
            for (int j = 0; j < kernel_w; ++j) {
                const int col = ow * stride_w - pad_w + j;
                const bool inside = row >= 0 && row < height && col >= 0 && col < width;
                const T value = inside ? image[(long long)row * width + col]
                                       : negative_infinity<T>();
                if (value > best) {
                    best_position = i * kernel_w + j;
                }
                if (value > best || value != value) {
                    best = value;
                }
            }
        }
        y[index] = best;
        argmax[index] = best_position;
    }
}

// The backward pass as a GATHER: one thread per input pixel sums the output gradients of the
// windows whose maximum it is. No atomics, so it is deterministic; windows are visited in the
// order pooling.py adds them (kernel position increasing). Differs from NumPy only where the
// output gradient holds inf or NaN, which NumPy's mask-times-gradient spreads to the losers.
template <typename T>
__device__ void max_pool_backward(const T* __restrict__ grad_y, const int* __restrict__ argmax,
                                  T* __restrict__ grad_x, int batch, int channels, int height,
                                  int width, int kernel_h, int kernel_w, int stride_h,
                                  int stride_w, int pad_h, int pad_w, int out_h, int out_w) {
    const long long total = (long long)batch * channels * height * width;
    for (long long index = first_index(); index < total; index += index_stride()) {
        const int w = index % width;
        const int h = (index / width) % height;
        const long long plane = index / ((long long)height * width);  // n·C + c
        const long long windows = plane * out_h * out_w;
        const int row = h + pad_h;  // in the padded image
        const int col = w + pad_w;
        // The windows that contain the pixel: oh·stride_h ≤ row < oh·stride_h + kernel_h.
        const int oh_first = row < kernel_h ? 0 : (row - kernel_h) / stride_h + 1;
        const int oh_last = min(row / stride_h, out_h - 1);
        const int ow_first = col < kernel_w ? 0 : (col - kernel_w) / stride_w + 1;
        const int ow_last = min(col / stride_w, out_w - 1);
        T sum = T(0);
        for (int oh = oh_last; oh >= oh_first; --oh) {
            for (int ow = ow_last; ow >= ow_first; --ow) {
                const long long window = windows + (long long)oh * out_w + ow;
                const int position = (row - oh * stride_h) * kernel_w + (col - ow * stride_w);
                if (argmax[window] == position) {
                    sum += grad_y[window];
                }
            }
        }
        grad_x[index] = sum;
    }
}

extern "C" __global__ void max_pool_forward_f32(const float* x, float* y, int* argmax, int batch,
                                                int channels, int height, int width,
                                                int kernel_h, int kernel_w, int stride_h,
                                                int stride_w, int pad_h, int pad_w, int out_h,
                                                int out_w) {
    max_pool_forward(x, y, argmax, batch, channels, height, width, kernel_h, kernel_w, stride_h,
                     stride_w, pad_h, pad_w, out_h, out_w);
}

extern "C" __global__ void max_pool_forward_f64(const double* x, double* y, int* argmax,
                                                int batch, int channels, int height, int width,
                                                int kernel_h, int kernel_w, int stride_h,
                                                int stride_w, int pad_h, int pad_w, int out_h,
                                                int out_w) {
    max_pool_forward(x, y, argmax, batch, channels, height, width, kernel_h, kernel_w, stride_h,
                     stride_w, pad_h, pad_w, out_h, out_w);
}

extern "C" __global__ void max_pool_backward_f32(const float* grad_y, const int* argmax,
                                                 float* grad_x, int batch, int channels,
                                                 int height, int width, int kernel_h,
                                                 int kernel_w, int stride_h, int stride_w,
                                                 int pad_h, int pad_w, int out_h, int out_w) {
    max_pool_backward(grad_y, argmax, grad_x, batch, channels, height, width, kernel_h, kernel_w,
                      stride_h, stride_w, pad_h, pad_w, out_h, out_w);
}

extern "C" __global__ void max_pool_backward_f64(const double* grad_y, const int* argmax,
                                                 double* grad_x, int batch, int channels,
                                                 int height, int width, int kernel_h,
                                                 int kernel_w, int stride_h, int stride_w,
                                                 int pad_h, int pad_w, int out_h, int out_w) {
    max_pool_backward(grad_y, argmax, grad_x, batch, channels, height, width, kernel_h, kernel_w,
                      stride_h, stride_w, pad_h, pad_w, out_h, out_w);
}
