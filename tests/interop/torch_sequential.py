"""A PyTorch nn.Sequential against the matching tapeless model
(io/torch.hpp's torch_sequential), both ways. Trains nothing.

Run as: /usr/bin/python3 torch_sequential.py <weights_tool> <scratch dir>
Skipped (status 77) when Debian's python3-torch is not installed.

PyTorch exports its state_dict (safetensors, written by the
specification) and a batch (np.savez); tapeless loads them into
tl::model<..., Dense<3, 8, Tanh>, LayerNorm<8>, Dense<8, 4, ReLU>,
Dense<4, 2>> and writes its output, MSE loss and gradients (under
PyTorch's names), then one SGD step's weights as safetensors. Checked, in
float64, against PyTorch's forward, autograd and torch.optim.SGD on the
same batch, to a relative error of 1e-12 (max norm): the same numbers up
to rounding in a different order of operations. The updated weights load
into the nn.Sequential with load_state_dict(strict=True), which checks
every name and shape.
"""

import os
import sys

from interop_common import np, read_safetensors, require, tool, write_safetensors

torch = require("torch")
nn = torch.nn
scratch = sys.argv[2]
os.makedirs(scratch, exist_ok=True)


def path(name):
    return os.path.join(scratch, name)


def close(a, b, what, tolerance=1e-12):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    assert a.shape == b.shape, f"{what}: shape {a.shape} against {b.shape}"
    error = np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)
    assert error <= tolerance, f"{what}: relative error {error:.3g}"
    return error


torch.manual_seed(3)
net = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.LayerNorm(8), nn.Linear(8, 4), nn.ReLU(),
                    nn.Linear(4, 2)).double()
with torch.no_grad():  # LayerNorm starts at 1 and 0: make its parameters matter
    net[2].weight.uniform_(0.5, 1.5)
    net[2].bias.uniform_(-0.5, 0.5)
write_safetensors(path("torch.safetensors"),
                  {k: v.detach().numpy() for k, v in net.state_dict().items()})
batch = 16
x = torch.randn(batch, 3, dtype=torch.float64)
t = torch.randn(batch, 2, dtype=torch.float64)
np.savez(path("batch.npz"), x=x.numpy(), t=t.numpy())

tool("torch", path("torch.safetensors"), path("batch.npz"), batch, path("out.npz"),
     path("tuned.safetensors"))

y = net(x)
loss = nn.functional.mse_loss(y, t)
loss.backward()
worst = 0.0
with np.load(path("out.npz")) as out:
    worst = max(worst, close(out["y"], y.detach().numpy(), "output"))
    worst = max(worst, close(out["loss"].reshape(()), loss.item(), "loss"))
    for name, p in net.named_parameters():
        worst = max(worst, close(out["grad." + name], p.grad.numpy(), "gradient of " + name))

torch.optim.SGD(net.parameters(), lr=0.1).step()
tuned, _ = read_safetensors(path("tuned.safetensors"))
again = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.LayerNorm(8), nn.Linear(8, 4), nn.ReLU(),
                      nn.Linear(4, 2)).double()
again.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tuned.items()}, strict=True)
for (name, p), q in zip(net.named_parameters(), again.parameters()):
    worst = max(worst, close(q.detach().numpy(), p.detach().numpy(), "after SGD, " + name))
worst = max(worst, close(again(x).detach().numpy(), net(x).detach().numpy(), "tuned output"))
print(f"torch {torch.__version__}, numpy {np.__version__}: output, loss, gradients and one SGD "
      f"step agree; largest relative error {worst:.2g} (tolerance 1e-12)")
