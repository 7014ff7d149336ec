// Fused optimiser updates: one launch per parameter does the whole element-wise rule that
// takes several CuPy operations (one kernel each) on the NumPy path. The twins and
// references are SGD.update (tinydl/optim/sgd.py), RMSprop.update (rmsprop.py) and
// Adam/AdamW.update (adam.py); the formulas and the state they keep are the same.
//
// Every array is C-contiguous and has `size` elements of one dtype; the parameter and the
// state buffers are updated in place, the gradient is only read. Scalars arrive in the
// arrays' dtype, already combined on the host where the NumPy path combines them as Python
// floats (1 − α, lr / (1 − β₁ᵗ), ...), so both paths round the same numbers. A state buffer
// that a rule does not use (no momentum) is passed as an empty array and never read.
//
// Compiled at run time by NVRTC (through CuPy's RawModule), so: no #include, and
// extern "C" entry points that CuPy finds by name, one per dtype (_f32, _f64).

__device__ __forceinline__ long long first_index() {
    return blockIdx.x * (long long)blockDim.x + threadIdx.x;
}

__device__ __forceinline__ long long index_stride() {
    return (long long)gridDim.x * blockDim.x;
}

__device__ __forceinline__ float square_root(float value) { return sqrtf(value); }
__device__ __forceinline__ double square_root(double value) { return sqrt(value); }

// SGD: g ← g + λθ; b ← μb + g (b = g on the first step); θ ← θ − lr·(nesterov ? g + μb : b).
template <typename T>
__device__ void sgd_update(T* __restrict__ param, const T* __restrict__ grad,
                           T* __restrict__ velocity, long long size, T lr, T momentum,
                           T weight_decay, int nesterov, int first_step) {
    for (long long i = first_index(); i < size; i += index_stride()) {
        T g = grad[i];
        if (weight_decay != T(0)) {
            g = g + weight_decay * param[i];
        }
        if (momentum != T(0)) {
            const T b = first_step ? g : velocity[i] * momentum + g;
            velocity[i] = b;
            g = nesterov ? g + momentum * b : b;
        }
        param[i] = param[i] - lr * g;
    }
}

// RMSprop: g ← g + λθ; s ← αs + (1 − α)g²; u = g / (√s + ε); b ← μb + u (with momentum);
// θ ← θ − lr·(momentum ? b : u).
template <typename T>
__device__ void rmsprop_update(T* __restrict__ param, const T* __restrict__ grad,
                               T* __restrict__ square_avg, T* __restrict__ velocity,
                               long long size, T lr, T alpha, T one_minus_alpha, T eps,
                               T momentum, T weight_decay) {
    for (long long i = first_index(); i < size; i += index_stride()) {
        T g = grad[i];
        if (weight_decay != T(0)) {
            g = g + weight_decay * param[i];
        }
        const T s = square_avg[i] * alpha + one_minus_alpha * (g * g);
        square_avg[i] = s;
        T step = g / (square_root(s) + eps);
        if (momentum != T(0)) {
            step = velocity[i] * momentum + step;
            velocity[i] = step;
        }
        param[i] = param[i] - lr * step;
    }
}

// Adam and AdamW: θ ← shrink·θ (AdamW: shrink = 1 − lr·λ, else 1); g ← g + l2·θ (Adam's
// weight decay, else l2 = 0); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
// θ ← θ − step_size · m / (√v / √(1 − β₂ᵗ) + ε), with step_size = lr / (1 − β₁ᵗ).
template <typename T>
__device__ void adam_update(T* __restrict__ param, const T* __restrict__ grad,
                            T* __restrict__ exp_avg, T* __restrict__ exp_avg_sq, long long size,
                            T beta1, T one_minus_beta1, T beta2, T one_minus_beta2, T step_size,
                            T bias_correction2_sqrt, T eps, T l2, T shrink) {
    for (long long i = first_index(); i < size; i += index_stride()) {
        T g = grad[i];
        if (l2 != T(0)) {
            g = g + l2 * param[i];
        }
        const T p = param[i] * shrink;
        const T m = exp_avg[i] * beta1 + one_minus_beta1 * g;
        const T v = exp_avg_sq[i] * beta2 + one_minus_beta2 * (g * g);
        exp_avg[i] = m;
        exp_avg_sq[i] = v;
        const T denominator = square_root(v) / bias_correction2_sqrt + eps;
        param[i] = p - step_size * (m / denominator);
    }
}

extern "C" __global__ void sgd_update_f32(float* param, const float* grad, float* velocity,
                                          long long size, float lr, float momentum,
                                          float weight_decay, int nesterov, int first_step) {
    sgd_update(param, grad, velocity, size, lr, momentum, weight_decay, nesterov, first_step);
}

extern "C" __global__ void sgd_update_f64(double* param, const double* grad, double* velocity,
                                          long long size, double lr, double momentum,
                                          double weight_decay, int nesterov, int first_step) {
    sgd_update(param, grad, velocity, size, lr, momentum, weight_decay, nesterov, first_step);
}

extern "C" __global__ void rmsprop_update_f32(float* param, const float* grad, float* square_avg,
                                              float* velocity, long long size, float lr,
                                              float alpha, float one_minus_alpha, float eps,
                                              float momentum, float weight_decay) {
    rmsprop_update(param, grad, square_avg, velocity, size, lr, alpha, one_minus_alpha, eps,
                   momentum, weight_decay);
}

extern "C" __global__ void rmsprop_update_f64(double* param, const double* grad,
                                              double* square_avg, double* velocity,
                                              long long size, double lr, double alpha,
                                              double one_minus_alpha, double eps,
                                              double momentum, double weight_decay) {
    rmsprop_update(param, grad, square_avg, velocity, size, lr, alpha, one_minus_alpha, eps,
                   momentum, weight_decay);
}

extern "C" __global__ void adam_update_f32(float* param, const float* grad, float* exp_avg,
                                           float* exp_avg_sq, long long size, float beta1,
                                           float one_minus_beta1, float beta2,
                                           float one_minus_beta2, float step_size,
                                           float bias_correction2_sqrt, float eps, float l2,
                                           float shrink) {
    adam_update(param, grad, exp_avg, exp_avg_sq, size, beta1, one_minus_beta1, beta2,
                one_minus_beta2, step_size, bias_correction2_sqrt, eps, l2, shrink);
}

extern "C" __global__ void adam_update_f64(double* param, const double* grad, double* exp_avg,
                                           double* exp_avg_sq, long long size, double beta1,
                                           double one_minus_beta1, double beta2,
                                           double one_minus_beta2, double step_size,
                                           double bias_correction2_sqrt, double eps, double l2,
                                           double shrink) {
    adam_update(param, grad, exp_avg, exp_avg_sq, size, beta1, one_minus_beta1, beta2,
                one_minus_beta2, step_size, bias_correction2_sqrt, eps, l2, shrink);
}
