// Softmax cross-entropy with integer labels, fused: the GPU twin of CrossEntropy in
// tinydl/ops/losses.py (its reference), for logits (N, C) and labels (N,).
//
//   forward:   L_n = log Σ_c exp(x_nc − m_n) − (x_n,y_n − m_n),   m_n = max_c x_nc
//   backward:  dL/dx_nc = (softmax(x_n)_c − [c = y_n]) · g_n / count
//
// Forward keeps, per row, m_n and log Σ_c exp(x_nc − m_n), so backward rebuilds each
// probability from the logits in one pass without a stored (N, C) softmax.
//
// Compiled at run time by NVRTC (through CuPy's RawModule), so: no #include, and
// extern "C" entry points that CuPy finds by name, one per dtype (_f32, _f64).

__device__ __forceinline__ long long first_index() {
    return blockIdx.x * (long long)blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long index_stride() {
    return (long long)gridDim.x * blockDim.x;
}

__device__ __forceinline__ float exp_of(float value) { return expf(value); }
__device__ __forceinline__ double exp_of(double value) { return exp(value); }
__device__ __forceinline__ float log_of(float value) { return logf(value); }
__device__ __forceinline__ double log_of(double value) { return log(value); }

// One thread per row (classification has few classes: 10 for MNIST): three passes over the
// row, for its maximum, the sum of exponentials of the shifted logits, and the loss.
template <typename T>
__device__ void softmax_cross_entropy_forward(const T* __restrict__ logits,
                                              const long long* __restrict__ labels,
                                              T* __restrict__ losses, T* __restrict__ row_max,
                                              T* __restrict__ log_norm, int rows, int classes) {
    for (long long row = first_index(); row < rows; row += index_stride()) {
        const T* x = logits + row * classes;
        T largest = x[0];
        for (int c = 1; c < classes; ++c) {
            largest = x[c] > largest ? x[c] : largest;
        }
        T total = T(0);
        for (int c = 0; c < classes; ++c) {
            total += exp_of(x[c] - largest);  // shifted by the maximum: never overflows
        }
        const T log_total = log_of(total);
        row_max[row] = largest;
        log_norm[row] = log_total;
        losses[row] = log_total - (x[labels[row]] - largest);  // −log softmax(x)_y
    }
}

// One thread per logit. grad_losses holds the upstream gradient: one value for 'mean' and
// 'sum' (grad_stride 0), one per row for 'none' (grad_stride 1); count is N for 'mean', else 1.
template <typename T>
__device__ void softmax_cross_entropy_backward(const T* __restrict__ logits,
                                               const long long* __restrict__ labels,
                                               const T* __restrict__ row_max,
                                               const T* __restrict__ log_norm,
                                               const T* __restrict__ grad_losses,
                                               T* __restrict__ grad_logits, int rows,
                                               int classes, int grad_stride, int count) {
    const long long total = (long long)rows * classes;
    for (long long index = first_index(); index < total; index += index_stride()) {
        const long long row = index / classes;
        const int c = index % classes;
        T gradient = exp_of((logits[index] - row_max[row]) - log_norm[row]);  // softmax
        if (c == labels[row]) {
            gradient -= T(1);  // minus the one-hot row
        }
        grad_logits[index] = gradient * (grad_losses[row * grad_stride] / T(count));
    }
}

extern "C" __global__ void softmax_cross_entropy_forward_f32(const float* logits,
                                                             const long long* labels,
                                                             float* losses, float* row_max,
                                                             float* log_norm, int rows,
                                                             int classes) {
    softmax_cross_entropy_forward(logits, labels, losses, row_max, log_norm, rows, classes);
}

extern "C" __global__ void softmax_cross_entropy_forward_f64(const double* logits,
                                                             const long long* labels,
                                                             double* losses, double* row_max,
                                                             double* log_norm, int rows,
                                                             int classes) {
    softmax_cross_entropy_forward(logits, labels, losses, row_max, log_norm, rows, classes);
}

extern "C" __global__ void softmax_cross_entropy_backward_f32(
    const float* logits, const long long* labels, const float* row_max, const float* log_norm,
    const float* grad_losses, float* grad_logits, int rows, int classes, int grad_stride,
    int count) {
    softmax_cross_entropy_backward(logits, labels, row_max, log_norm, grad_losses, grad_logits,
                                   rows, classes, grad_stride, count);
}

extern "C" __global__ void softmax_cross_entropy_backward_f64(
    const double* logits, const long long* labels, const double* row_max,
    const double* log_norm, const double* grad_losses, double* grad_logits, int rows,
    int classes, int grad_stride, int count) {
    softmax_cross_entropy_backward(logits, labels, row_max, log_norm, grad_losses, grad_logits,
                                   rows, classes, grad_stride, count);
}
