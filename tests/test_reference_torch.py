"""The reference implementations, checked against an independent oracle: PyTorch (float64).

Values come from torch's own functions (torch.sigmoid, F.mse_loss, torch.optim.Adam, ...) and
gradients from torch.autograd, never from a second copy of the reference's formulas. Where torch
is no oracle (sign/step conventions, logic gates, mini-batch splits, training XOR) the defining
properties of the catalogue are checked instead.

Every reference call goes through `call`, which passes read-only copies of the array arguments:
a reference function that writes into its input fails with "assignment destination is read-only".
"""

from __future__ import annotations

import time
import warnings
from types import ModuleType

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from grader_reference import activations as A
from grader_reference import capstone as C
from grader_reference import losses as L
from grader_reference import optimizers as O
from grader_reference import perceptron as P

#: torch and torch.nn.functional, imported by the first test of the module (`_torch`), not when
#: pytest collects: collection stays fast, and a run without these tests never loads torch
torch: ModuleType
F: ModuleType


@pytest.fixture(scope="module", autouse=True)
def _torch() -> None:
    global torch, F
    torch = pytest.importorskip("torch")
    import torch.nn.functional as functional
    F = functional

EXAMPLES = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
RTOL, ATOL = 1e-10, 1e-12


# ----------------------------------------------------------------------------- helpers


def _frozen(a):
    if isinstance(a, np.ndarray):
        a = a.copy()
        a.setflags(write=False)
    return a


def call(f, *args, **kwargs):
    """Call a reference function on read-only copies, with every warning turned into an error."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return f(*[_frozen(a) for a in args], **{k: _frozen(v) for k, v in kwargs.items()})


def T(a, grad=False):
    t = torch.tensor(np.asarray(a, dtype=np.float64), dtype=torch.float64)
    return t.requires_grad_(grad)


def close(actual, expected, rtol=RTOL, atol=ATOL):
    if isinstance(expected, torch.Tensor):
        expected = expected.detach().numpy()
    # a 0-d result may come back as a NumPy scalar (ufuncs turn 0-d arrays into np.float64)
    assert isinstance(actual, (np.ndarray, np.float64)), f"got a {type(actual).__name__}"
    actual = np.asarray(actual)
    assert actual.dtype == np.float64
    assert actual.shape == np.shape(expected), (actual.shape, np.shape(expected))
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def floats(lo=-20.0, hi=20.0):
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def arrays(elements=None, min_dims=0, max_dims=3):
    return hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=5),
        elements=floats() if elements is None else elements,
    )


def autograd(fn, x, *args):
    """d sum(fn(x)) / dx through torch.autograd."""
    t = T(x, grad=True)
    fn(t, *args).sum().backward()
    return t.grad


def _kinks():
    # the points where the conventions matter, shaped as every test expects: 0-d and 1-d
    return [np.array(0.0), np.array(-0.0), np.array([-1.0, -0.0, 0.0, 1e-300, 2.0])]


# ----------------------------------------------------------------------------- chapter 3


@EXAMPLES
@given(arrays(floats(-1e3, 1e3)))
def test_sigmoid(x):
    y = call(A.sigmoid, x)
    close(y, torch.sigmoid(T(x)), atol=1e-300)
    assert np.all((y >= 0) & (y <= 1))


@EXAMPLES
@given(arrays(floats(-40, 40)))
def test_sigmoid_grad(x):
    close(call(A.sigmoid_grad, x), autograd(torch.sigmoid, x))


@EXAMPLES
@given(arrays(floats(-1e3, 1e3)))
def test_tanh(x):
    close(call(A.tanh, x), torch.tanh(T(x)))


@EXAMPLES
@given(arrays(floats(-20, 20)))
def test_tanh_grad(x):
    close(call(A.tanh_grad, x), autograd(torch.tanh, x))


@EXAMPLES
@given(arrays())
def test_relu(x):
    close(call(A.relu, x), torch.relu(T(x)))


@pytest.mark.parametrize("x", _kinks())
def test_relu_and_grad_at_the_kink(x):
    close(call(A.relu, x), torch.relu(T(x)))
    close(call(A.relu_grad, x), autograd(torch.relu, x))  # torch also takes 0 at x = 0


@EXAMPLES
@given(arrays())
def test_relu_grad(x):
    close(call(A.relu_grad, x), autograd(torch.relu, x))


@EXAMPLES
@given(arrays(), st.sampled_from([0.01, 0.2, 0.5]))
def test_leaky_relu(x, alpha):
    close(call(A.leaky_relu, x, alpha=alpha), F.leaky_relu(T(x), negative_slope=alpha))
    if alpha == 0.01:
        close(call(A.leaky_relu, x), F.leaky_relu(T(x)))


@EXAMPLES
@given(arrays(), st.sampled_from([0.01, 0.2, 0.5]))
def test_leaky_relu_grad(x, alpha):
    expected = autograd(F.leaky_relu, x, alpha)
    close(call(A.leaky_relu_grad, x, alpha=alpha), expected)
    if alpha == 0.01:
        close(call(A.leaky_relu_grad, x), expected)


@pytest.mark.parametrize("x", _kinks())
@pytest.mark.parametrize("alpha", [0.01, 0.3])
def test_leaky_relu_grad_at_the_kink(x, alpha):
    # torch's backward takes alpha at 0, the catalogue's choice
    close(call(A.leaky_relu_grad, x, alpha=alpha), autograd(F.leaky_relu, x, alpha))


@EXAMPLES
@given(arrays(floats(-1e3, 1e3), min_dims=1))
def test_softmax(z):
    s = call(A.softmax, z)
    close(s, torch.softmax(T(z), dim=-1), atol=1e-300)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-12)


def test_softmax_0d_and_huge_logits():
    close(call(A.softmax, np.array(3.0)), torch.softmax(T(3.0), dim=-1))
    z = np.array([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 1000.0]])
    close(call(A.softmax, z), torch.softmax(T(z), dim=-1), atol=1e-300)


@st.composite
def maxout_inputs(draw):
    n, d, m, k = (draw(st.integers(1, 4)) for _ in range(4))
    X = draw(hnp.arrays(np.float64, (n, d), elements=floats(-5, 5)))
    W = draw(hnp.arrays(np.float64, (d, m, k), elements=floats(-5, 5)))
    b = draw(hnp.arrays(np.float64, (m, k), elements=floats(-5, 5)))
    return X, W, b


@EXAMPLES
@given(maxout_inputs())
def test_maxout(inputs):
    X, W, b = inputs
    d, m, k = W.shape
    z = (T(X) @ T(W).reshape(d, m * k)).reshape(-1, m, k) + T(b)
    close(call(A.maxout, X, W, b), torch.amax(z, dim=-1))


# ----------------------------------------------------------------------------- chapter 2


def torch_sign(t):
    return 2.0 * torch.heaviside(t, torch.ones((), dtype=t.dtype)) - 1.0  # sign(0) = 1


def torch_step(t):
    return torch.heaviside(t, torch.zeros((), dtype=t.dtype))  # step(0) = 0


@EXAMPLES
@given(arrays(st.one_of(floats(), st.just(0.0), st.just(-0.0))))
def test_sign(x):
    y = call(P.sign, x)
    close(y, torch_sign(T(x)))
    assert set(np.unique(y)) <= {-1.0, 1.0}
    nonzero = x != 0
    np.testing.assert_array_equal(y[nonzero], np.sign(x[nonzero]))


@EXAMPLES
@given(arrays(st.one_of(floats(), st.just(0.0), st.just(-0.0))))
def test_step(x):
    y = call(P.step, x)
    close(y, torch_step(T(x)))
    assert set(np.unique(y)) <= {0.0, 1.0}


@pytest.mark.parametrize("x", _kinks())
def test_sign_and_step_conventions_at_zero(x):
    close(call(P.sign, x), np.where(x > 0, 1.0, np.where(x == 0, 1.0, -1.0)))
    close(call(P.step, x), np.where(x > 0, 1.0, 0.0))
    assert call(P.sign, np.array(0.0)) == 1.0 and call(P.step, np.array(0.0)) == 0.0


TORCH_ACTIVATIONS = {
    "sign": torch_sign,
    "step": torch_step,
    "sigmoid": lambda t: torch.sigmoid(t),
    "tanh": lambda t: torch.tanh(t),
    "relu": lambda t: torch.relu(t),
}


@st.composite
def neuron_inputs(draw):
    activation = draw(st.sampled_from(sorted(TORCH_ACTIVATIONS)))
    d, n = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    shape = (n, d) if draw(st.booleans()) else (d,)
    # sign and step jump at 0: integer values keep wᵀx + b exact (and often exactly 0) in both
    # NumPy and torch, so a rounding difference cannot flip the result
    el = st.integers(-3, 3).map(float) if activation in ("sign", "step") else floats(-5, 5)
    x = draw(hnp.arrays(np.float64, shape, elements=el))
    w = draw(hnp.arrays(np.float64, (d,), elements=el))
    return x, w, draw(el), activation


@EXAMPLES
@given(neuron_inputs())
def test_neuron(inputs):
    x, w, b, activation = inputs
    z = F.linear(T(x), T(w).reshape(1, -1), T([b])).squeeze(-1)  # (n,) or ()
    close(call(P.neuron, x, w, b, activation), TORCH_ACTIVATIONS[activation](z))


def test_neuron_rejects_an_unknown_activation():
    with pytest.raises(ValueError):
        P.neuron(np.ones(2), np.ones(2), 0.0, "softplus")


GATES = {
    "AND": lambda a, b: a & b,
    "OR": lambda a, b: a | b,
    "NAND": lambda a, b: 1 - (a & b),
    "NOR": lambda a, b: 1 - (a | b),
}
BOOL_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)


def test_logic_gates_truth_tables_with_margin():
    gates = call(P.logic_gates)
    assert set(gates) == set(GATES)
    for name, truth in GATES.items():
        w, b = gates[name]
        assert isinstance(w, np.ndarray) and w.shape == (2,)
        z = BOOL_X @ w + float(b)
        assert np.all(np.abs(z) >= 0.5), (name, z)
        expected = truth(BOOL_X[:, 0].astype(int), BOOL_X[:, 1].astype(int))
        np.testing.assert_array_equal(call(P.step, z), expected, err_msg=name)
        np.testing.assert_array_equal(torch_step(T(z)).numpy(), expected, err_msg=name)


def test_xor_network_with_margin():
    W1, b1, W2, b2 = call(P.xor_network)
    h = W1.shape[1]
    assert h >= 2 and W1.shape == (2, h) and b1.shape == (h,)
    assert W2.shape == (h, 1) and b2.shape == (1,)
    z1 = BOOL_X @ W1 + b1
    assert np.all(np.abs(z1) >= 0.5)
    hidden = call(P.step, z1)
    z2 = hidden @ W2 + b2
    assert np.all(np.abs(z2) >= 0.5)
    np.testing.assert_array_equal(call(P.step, z2)[:, 0], [0.0, 1.0, 1.0, 0.0])
    # the same network in torch
    net = torch_step(torch_step(T(BOOL_X) @ T(W1) + T(b1)) @ T(W2) + T(b2))
    np.testing.assert_array_equal(net.numpy()[:, 0], [0.0, 1.0, 1.0, 0.0])


@st.composite
def mlp_inputs(draw, with_targets=False):
    n, d, h, k = (draw(st.integers(1, 4)) for _ in range(4))
    el = floats(-3, 3)
    X = draw(hnp.arrays(np.float64, (n, d), elements=el))
    W1 = draw(hnp.arrays(np.float64, (d, h), elements=el))
    b1 = draw(hnp.arrays(np.float64, (h,), elements=el))
    W2 = draw(hnp.arrays(np.float64, (h, k), elements=el))
    b2 = draw(hnp.arrays(np.float64, (k,), elements=el))
    if not with_targets:
        return X, W1, b1, W2, b2
    Y = draw(hnp.arrays(np.float64, (n, k), elements=floats(0, 1)))
    return X, Y, W1, b1, W2, b2


def torch_mlp(W1, b1, W2, b2):
    (d, h), k = W1.shape, W2.shape[1]
    net = torch.nn.Sequential(
        torch.nn.Linear(d, h), torch.nn.Sigmoid(), torch.nn.Linear(h, k), torch.nn.Sigmoid()
    ).double()
    with torch.no_grad():  # nn.Linear stores the weight as (out, in)
        net[0].weight.copy_(T(W1).T)
        net[0].bias.copy_(T(b1))
        net[2].weight.copy_(T(W2).T)
        net[2].bias.copy_(T(b2))
    return net


@EXAMPLES
@given(mlp_inputs())
def test_mlp_forward(inputs):
    X, W1, b1, W2, b2 = inputs
    with torch.no_grad():
        expected = torch_mlp(W1, b1, W2, b2)(T(X))
    close(call(P.mlp_forward, X, W1, b1, W2, b2), expected)


def test_count_parameters_slide_network():
    n = call(P.count_parameters, [784, 16, 16, 10])
    assert type(n) is int and n == 13002


@EXAMPLES
@given(st.lists(st.integers(1, 40), min_size=1, max_size=5))
def test_count_parameters_matches_torch(sizes):
    layers = [torch.nn.Linear(a, b, device="meta") for a, b in zip(sizes, sizes[1:], strict=False)]
    expected = sum(p.numel() for p in torch.nn.Sequential(*layers).parameters())
    got = call(P.count_parameters, sizes)
    assert type(got) is int and got == expected
    assert call(P.count_parameters, tuple(np.array(sizes))) == expected


# ----------------------------------------------------------------------------- chapter 4


@st.composite
def regression_pairs(draw):
    n = draw(st.integers(1, 6))
    shape = (n,) if draw(st.booleans()) else (n, draw(st.integers(1, 3)))
    y = draw(hnp.arrays(np.float64, shape, elements=floats(-10, 10)))
    y_hat = draw(hnp.arrays(np.float64, shape, elements=floats(-10, 10)))
    return y, y_hat


def torch_mse(y, y_hat):
    return F.mse_loss(y_hat, y, reduction="sum") / (2 * y.shape[0])


@EXAMPLES
@given(regression_pairs())
def test_mse_loss(pair):
    y, y_hat = pair
    got = call(L.mse_loss, y, y_hat)
    assert type(got) is float
    np.testing.assert_allclose(got, torch_mse(T(y), T(y_hat)).item(), rtol=RTOL, atol=ATOL)


@EXAMPLES
@given(regression_pairs())
def test_mse_grad(pair):
    y, y_hat = pair
    t = T(y_hat, grad=True)
    torch_mse(T(y), t).backward()
    close(call(L.mse_grad, y, y_hat), t.grad)


def test_mse_refuses_broadcasting():
    with pytest.raises(ValueError):
        L.mse_loss(np.zeros(3), np.zeros((3, 1)))


@st.composite
def classification(draw, zeros=False):
    n, K = draw(st.integers(1, 5)), draw(st.integers(2, 4))
    labels = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, K - 1)))
    y = np.eye(K)[labels]
    z = draw(hnp.arrays(np.float64, (n, K), elements=floats(-30, 30)))
    p = torch.softmax(T(z), dim=-1).numpy()
    if zeros:  # probabilities exactly 0 where y is 0, renormalised
        mask = draw(hnp.arrays(np.bool_, (n, K))) & (y == 0)
        p = np.where(mask, 0.0, p)
        p = p / p.sum(axis=1, keepdims=True)
    return y, p, z, labels


@EXAMPLES
@given(classification(zeros=True))
def test_cross_entropy(data):
    y, p, _, labels = data
    got = call(L.cross_entropy, y, p)
    assert type(got) is float
    expected = -torch.special.xlogy(T(y), T(p)).sum().item()  # xlogy: 0·log 0 = 0
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL)
    with np.errstate(divide="ignore"):
        nll = F.nll_loss(T(np.log(p)), torch.tensor(labels), reduction="sum").item()
    np.testing.assert_allclose(got, nll, rtol=RTOL, atol=ATOL)


@EXAMPLES
@given(classification())
def test_cross_entropy_of_softmax_is_torch_cross_entropy(data):
    y, _, z, labels = data
    got = call(L.cross_entropy, y, call(A.softmax, z))
    expected = F.cross_entropy(T(z), torch.tensor(labels), reduction="sum").item()
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


def test_cross_entropy_edge_cases():
    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    p = np.array([[1.0, 0.0, 0.0], [0.25, 0.0, 0.75]])
    assert call(L.cross_entropy, y, p) == pytest.approx(-np.log(0.75))
    assert call(L.cross_entropy, y, y) == 0.0
    p0 = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # p = 0 where y = 1
    got = call(L.cross_entropy, y, p0)  # `call` turns warnings into errors
    assert got == np.inf and got == -torch.special.xlogy(T(y), T(p0)).sum().item()


@EXAMPLES
@given(
    st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, (n,), elements=st.sampled_from([0.0, 1.0])),
            hnp.arrays(np.float64, (n,), elements=floats(1e-6, 1 - 1e-6)),
        )
    )
)
def test_binary_cross_entropy(pair):
    y, p = pair
    got = call(L.binary_cross_entropy, y, p)
    assert type(got) is float
    expected = F.binary_cross_entropy(T(p), T(y), reduction="sum").item()
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-12)


def test_binary_cross_entropy_certain_predictions():
    y = np.array([1.0, 0.0])
    assert call(L.binary_cross_entropy, y, y) == 0.0
    assert call(L.binary_cross_entropy, y, 1.0 - y) == np.inf


@EXAMPLES
@given(classification())
def test_softmax_cross_entropy_grad(data):
    y, _, z, labels = data
    t = T(z, grad=True)
    F.cross_entropy(t, torch.tensor(labels), reduction="sum").backward()
    close(call(L.softmax_cross_entropy_grad, y, z), t.grad)


@EXAMPLES
@given(classification())
def test_softmax_cross_entropy_grad_soft_labels(data):
    _, q, z, _ = data  # q: probability rows, used as soft targets
    t = T(z, grad=True)
    F.cross_entropy(t, T(q), reduction="sum").backward()
    close(call(L.softmax_cross_entropy_grad, q, z), t.grad)


@st.composite
def chains(draw):
    n_layers = draw(st.integers(1, 5))
    w = draw(hnp.arrays(np.float64, (n_layers,), elements=floats(-3, 3)))
    b = draw(hnp.arrays(np.float64, (n_layers,), elements=floats(-3, 3)))
    return draw(floats(-3, 3)), w, b, draw(floats(0, 1))


def torch_chain(x, w, b):
    acts = [torch.as_tensor(x, dtype=torch.float64)]
    for layer in range(w.shape[0]):
        acts.append(torch.sigmoid(w[layer] * acts[-1] + b[layer]))
    return acts


@EXAMPLES
@given(chains())
def test_chain_forward(chain):
    x, w, b, _ = chain
    with torch.no_grad():
        expected = torch.stack(torch_chain(x, T(w), T(b)))
    close(call(L.chain_forward, x, w, b), expected)


@EXAMPLES
@given(chains())
def test_chain_backward(chain):
    x, w, b, y = chain
    tw, tb = T(w, grad=True), T(b, grad=True)
    (0.5 * (torch_chain(x, tw, tb)[-1] - y) ** 2).backward()
    dw, db = call(L.chain_backward, x, w, b, y)
    close(dw, tw.grad, atol=1e-15)
    close(db, tb.grad, atol=1e-15)


@EXAMPLES
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            hnp.arrays(np.float64, (n,), elements=floats(-5, 5)),
            hnp.arrays(np.float64, (n,), elements=floats(-5, 5)),
        )
    ),
    st.sampled_from([0.001, 0.1, 1.5]),
)
def test_gd_step(pair, lr):
    w, grad = pair
    p = torch.nn.Parameter(T(w))
    p.grad = T(grad)
    torch.optim.SGD([p], lr=lr).step()
    close(call(L.gd_step, w, grad, lr), p.detach())


@EXAMPLES
@given(mlp_inputs(with_targets=True))
def test_mlp_backward(inputs):
    X, Y, W1, b1, W2, b2 = inputs
    net = torch_mlp(W1, b1, W2, b2)
    torch_mse(T(Y), net(T(X))).backward()
    grads = call(L.mlp_backward, X, Y, W1, b1, W2, b2)
    assert set(grads) == {"W1", "b1", "W2", "b2"}
    close(grads["W1"], net[0].weight.grad.T, atol=1e-15)
    close(grads["b1"], net[0].bias.grad, atol=1e-15)
    close(grads["W2"], net[2].weight.grad.T, atol=1e-15)
    close(grads["b2"], net[2].bias.grad, atol=1e-15)


# ----------------------------------------------------------------------------- chapter 5


def _check_split(batches, n, batch_size):
    assert isinstance(batches, list)
    for i, batch in enumerate(batches):
        assert isinstance(batch, np.ndarray) and batch.dtype == np.int64 and batch.ndim == 1
        if i < len(batches) - 1:
            assert len(batch) == batch_size
        else:
            assert 1 <= len(batch) <= batch_size
    assert len(batches) == -(-n // batch_size)
    joined = np.concatenate(batches) if batches else np.array([], dtype=np.int64)
    np.testing.assert_array_equal(np.sort(joined), np.arange(n))


@EXAMPLES
@given(st.integers(0, 60), st.integers(1, 16), st.integers(0, 2**32 - 1))
def test_minibatches_partition(n, batch_size, seed):
    state = np.random.get_state()
    batches = call(O.minibatches, n, batch_size, seed)
    _check_split(batches, n, batch_size)
    again = call(O.minibatches, n, batch_size, seed)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again, strict=True))
    after = np.random.get_state()  # the global generator is left alone
    assert state[0] == after[0] and np.array_equal(state[1], after[1]) and state[2:] == after[2:]


def test_minibatches_shuffle_and_depend_on_seed():
    splits = [np.concatenate(O.minibatches(50, 8, seed)) for seed in range(5)]
    for order in splits:
        assert not np.array_equal(order, np.arange(50))
    assert len({tuple(order) for order in splits}) == 5
    # the rest of each split is the documented shuffle, from default_rng(seed)
    np.testing.assert_array_equal(splits[3], np.random.default_rng(3).permutation(50))


def test_minibatches_rejects_bad_batch_size():
    with pytest.raises(ValueError):
        O.minibatches(10, 0, 0)


def _run(update, make_opt, state_keys, *, steps=6, scale=1.0, shape=(3,), seed=0):
    """Apply `update` and a torch optimizer to the same gradient sequence; compare every step."""
    rng = np.random.default_rng(seed)
    param = rng.normal(size=shape)
    tparam = torch.nn.Parameter(T(param))
    opt = make_opt([tparam])
    state = [np.zeros(shape) for _ in state_keys]
    for t in range(1, steps + 1):
        grad = scale * rng.normal(size=shape)
        tparam.grad = T(grad)
        opt.step()
        param, *state = update(param, grad, state, t)
        close(param, tparam.detach(), rtol=1e-9, atol=1e-15)
        for key, mine in zip(state_keys, state, strict=True):
            close(mine, opt.state[tparam][key], rtol=1e-9, atol=1e-30)
    return param


LRS_AND_SCALES = [(0.01, 1.0), (0.3, 1.0), (0.01, 1e-6), (1e-3, 1e-3)]


@pytest.mark.parametrize("lr,scale", LRS_AND_SCALES)
def test_sgd_step(lr, scale):
    _run(lambda p, g, s, t: (call(O.sgd_step, p, g, lr),),
         lambda ps: torch.optim.SGD(ps, lr=lr), [], scale=scale)


@pytest.mark.parametrize("lr,scale", LRS_AND_SCALES)
@pytest.mark.parametrize("momentum", [None, 0.5, 0.95])
def test_momentum_step(lr, scale, momentum):
    kw = {} if momentum is None else {"momentum": momentum}

    def update(p, g, state, t):
        return call(O.momentum_step, p, g, state[0], lr, **kw)

    _run(update, lambda ps: torch.optim.SGD(ps, lr=lr, momentum=momentum or 0.9),
         ["momentum_buffer"], scale=scale)


@pytest.mark.parametrize("lr,scale", LRS_AND_SCALES)
@pytest.mark.parametrize("eps", [None, 1e-10, 1e-4])
def test_adagrad_step(lr, scale, eps):
    kw = {} if eps is None else {"eps": eps}

    def update(p, g, state, t):
        return call(O.adagrad_step, p, g, state[0], lr=lr, **kw)

    _run(update,
         lambda ps: torch.optim.Adagrad(ps, lr=lr, eps=eps or 1e-10,
                                        initial_accumulator_value=0),
         ["sum"], scale=scale)


def test_adagrad_defaults():
    _run(lambda p, g, s, t: call(O.adagrad_step, p, g, s[0]),
         lambda ps: torch.optim.Adagrad(ps, initial_accumulator_value=0), ["sum"], scale=1e-6)


@pytest.mark.parametrize("lr,scale", LRS_AND_SCALES)
@pytest.mark.parametrize("alpha,eps", [(None, None), (0.9, 1e-6), (0.5, 1e-8)])
def test_rmsprop_step(lr, scale, alpha, eps):
    kw = {k: v for k, v in (("alpha", alpha), ("eps", eps)) if v is not None}

    def update(p, g, state, t):
        return call(O.rmsprop_step, p, g, state[0], lr=lr, **kw)

    _run(update,
         lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=alpha or 0.99, eps=eps or 1e-8),
         ["square_avg"], scale=scale)


def test_rmsprop_defaults():
    _run(lambda p, g, s, t: call(O.rmsprop_step, p, g, s[0]),
         lambda ps: torch.optim.RMSprop(ps), ["square_avg"], scale=1e-6)


@pytest.mark.parametrize("lr,scale", LRS_AND_SCALES)
@pytest.mark.parametrize("betas,eps", [(None, None), ((0.8, 0.9), 1e-6), ((0.5, 0.99), 1e-3)])
def test_adam_step(lr, scale, betas, eps):
    kw = {} if betas is None else {"beta1": betas[0], "beta2": betas[1], "eps": eps}

    def update(p, g, state, t):
        return call(O.adam_step, p, g, state[0], state[1], t, lr=lr, **kw)

    _run(update,
         lambda ps: torch.optim.Adam(ps, lr=lr, betas=betas or (0.9, 0.999), eps=eps or 1e-8),
         ["exp_avg", "exp_avg_sq"], scale=scale, steps=8)


def test_adam_defaults_tiny_gradients_and_0d_param():
    _run(lambda p, g, s, t: call(O.adam_step, p, g, s[0], s[1], t),
         lambda ps: torch.optim.Adam(ps), ["exp_avg", "exp_avg_sq"], scale=1e-6)
    _run(lambda p, g, s, t: call(O.adam_step, p, g, s[0], s[1], t, lr=0.05),
         lambda ps: torch.optim.Adam(ps, lr=0.05), ["exp_avg", "exp_avg_sq"], shape=())


def test_optimizers_on_matrices():
    shape = (2, 3)
    _run(lambda p, g, s, t: call(O.momentum_step, p, g, s[0], 0.1, momentum=0.8),
         lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.8), ["momentum_buffer"], shape=shape)
    _run(lambda p, g, s, t: call(O.rmsprop_step, p, g, s[0], lr=0.05),
         lambda ps: torch.optim.RMSprop(ps, lr=0.05), ["square_avg"], shape=shape)
    _run(lambda p, g, s, t: call(O.adam_step, p, g, s[0], s[1], t, lr=0.05),
         lambda ps: torch.optim.Adam(ps, lr=0.05), ["exp_avg", "exp_avg_sq"], shape=shape)


# ----------------------------------------------------------------------------- capstone


@pytest.mark.parametrize("seed", range(5))
def test_train_xor(seed):
    start = time.perf_counter()
    W1, b1, W2, b2 = call(C.train_xor, seed)
    elapsed = time.perf_counter() - start
    h = W1.shape[1]
    assert W1.shape == (2, h) and b1.shape == (h,) and W2.shape == (h, 1) and b2.shape == (1,)
    with torch.no_grad():
        out = torch_mlp(W1, b1, W2, b2)(T(BOOL_X)).numpy()[:, 0]
    np.testing.assert_array_equal(out > 0.5, [False, True, True, False])
    close(call(P.mlp_forward, BOOL_X, W1, b1, W2, b2)[:, 0], out)
    assert elapsed < 1.0, f"train_xor({seed}) took {elapsed:.2f} s"


def test_train_xor_is_deterministic():
    for a, b in zip(C.train_xor(7), C.train_xor(7), strict=True):
        np.testing.assert_array_equal(a, b)
