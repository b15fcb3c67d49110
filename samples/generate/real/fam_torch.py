"""torch: state_dicts, whole modules, optimizers and LR schedulers, sparse/quantized/complex
tensors, torch.return_types, distributions, PackedSequence, nested tensors, torchvision and
torchaudio objects; torch.save in the zip and the legacy format at several pickle protocols,
read back with torch.load(weights_only=False). TorchScript archives (torch.jit.save) are
labelled code-carrying."""
import pickle
import warnings

BASE = ['torch-zip-p2', 'torch-legacy-p2']
MORE = BASE + ['torch-zip-p4', 'torch-legacy-p4', 'torch-zip-p5', 'torch-legacy-p3']


def _net(torch):
    nn = torch.nn
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU(), nn.Flatten(), nn.Linear(2 * 4 * 4, 3), nn.Dropout(0.1))


def generate(ctx):
    try:
        import torch
    except ImportError as e:
        ctx.note('torch', '*', '-', 'not importable: %s' % e)
        return
    torch.manual_seed(0)
    nn = torch.nn
    add = lambda name, build, savers=BASE, label='benign-library', lib='torch': ctx.add(lib, name, build, list(savers), label=label)

    # --- models
    add('state_dict_cnn', lambda: _net(torch).state_dict(), MORE)
    add('module_cnn', lambda: _net(torch), MORE)
    add('module_rnns', lambda: nn.ModuleDict({'lstm': nn.LSTM(4, 3, num_layers=2, batch_first=True), 'gru': nn.GRU(3, 2),
                                              'rnn': nn.RNN(2, 2), 'emb': nn.Embedding(10, 4, padding_idx=0)}))
    add('state_dict_rnns', lambda: nn.LSTM(4, 3, bidirectional=True).state_dict())
    add('module_transformer', lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16), num_layers=1))
    add('module_misc_layers', lambda: nn.ModuleList([nn.LayerNorm(4), nn.GroupNorm(2, 4), nn.MultiheadAttention(4, 2), nn.Conv1d(2, 2, 3),
                                                     nn.ConvTranspose2d(2, 1, 2), nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Upsample(scale_factor=2),
                                                     nn.PReLU(), nn.GELU(), nn.SiLU(), nn.Softmax(dim=-1), nn.Identity(), nn.Bilinear(2, 2, 1),
                                                     nn.EmbeddingBag(5, 2, mode='mean'), nn.PixelShuffle(2), nn.CrossEntropyLoss(label_smoothing=0.1),
                                                     nn.MSELoss(), nn.BCEWithLogitsLoss(pos_weight=torch.ones(1))]))
    add('parametrized_weight_norm', lambda: nn.utils.parametrizations.weight_norm(nn.Linear(3, 2)) if hasattr(nn.utils, 'parametrizations') and hasattr(nn.utils.parametrizations, 'weight_norm') else nn.utils.weight_norm(nn.Linear(3, 2)))
    add('spectral_norm_state', lambda: nn.utils.spectral_norm(nn.Linear(3, 2)).state_dict())
    add('pruned_module', lambda: _pruned(torch))
    add('quantized_dynamic_module', lambda: torch.quantization.quantize_dynamic(nn.Sequential(nn.Linear(4, 3)), {nn.Linear}, dtype=torch.qint8))
    add('quantized_dynamic_state_dict', lambda: torch.quantization.quantize_dynamic(nn.Sequential(nn.Linear(4, 3)), {nn.Linear}, dtype=torch.qint8).state_dict())

    # --- optimizers and schedulers
    add('optimizers_state', lambda: _optimizers(torch), MORE)
    add('optimizer_objects', lambda: _optimizer_objects(torch))
    add('schedulers_state', lambda: _schedulers(torch, state=True), MORE)
    add('scheduler_objects', lambda: _schedulers(torch, state=False))
    add('onecycle_scheduler_object', lambda: _onecycle(torch), MORE)
    add('checkpoint_full', lambda: _checkpoint(torch), MORE)
    add('grad_scaler_state', lambda: (torch.amp.GradScaler('cpu') if hasattr(torch, 'amp') and hasattr(torch.amp, 'GradScaler') else torch.cuda.amp.GradScaler(enabled=False)).state_dict())

    # --- tensors
    add('tensor_dtypes', lambda: {str(dt): torch.ones(3, dtype=dt) for dt in (torch.float32, torch.float64, torch.float16, torch.bfloat16,
                                                                               torch.int8, torch.uint8, torch.int16, torch.int32, torch.int64, torch.bool)}, MORE)
    add('tensor_complex', lambda: [torch.tensor([1 + 2j, 3 - 1j], dtype=torch.complex64), torch.randn(2, dtype=torch.complex128)], MORE)
    add('tensor_views_shared', lambda: _views(torch))
    add('tensor_channels_last', lambda: torch.randn(1, 3, 2, 2).to(memory_format=torch.channels_last))
    add('tensor_requires_grad_param', lambda: [nn.Parameter(torch.randn(2, 2)), torch.randn(3, requires_grad=True), nn.Parameter(torch.zeros(1), requires_grad=False)])
    add('tensor_0d_empty', lambda: [torch.tensor(3.5), torch.empty(0, 4), torch.zeros(2, 0)])
    add('sparse_coo', lambda: torch.sparse_coo_tensor([[0, 1, 1], [2, 0, 2]], [3.0, 4.0, 5.0], (2, 3)), MORE)
    add('sparse_csr', lambda: torch.tensor([[0, 1.0, 0], [2, 0, 3]]).to_sparse_csr(), MORE)
    add('sparse_csc', lambda: torch.tensor([[0, 1.0, 0], [2, 0, 3]]).to_sparse_csc())
    add('sparse_bsr', lambda: torch.eye(4).to_sparse_bsr((2, 2)))
    add('sparse_coo_coalesced_hybrid', lambda: torch.sparse_coo_tensor([[0, 2]], torch.ones(2, 3), (4, 3)).coalesce())
    add('quantized_tensors', lambda: [torch.quantize_per_tensor(torch.randn(4), 0.1, 10, torch.quint8),
                                      torch.quantize_per_channel(torch.randn(2, 3), torch.tensor([0.1, 0.2]), torch.tensor([0, 1]), 0, torch.qint8)], MORE)
    add('return_types', lambda: [torch.max(torch.arange(6.).reshape(2, 3), dim=1), torch.sort(torch.tensor([3, 1, 2])),
                                 torch.topk(torch.arange(5.), 2), torch.linalg.eigh(torch.eye(2)), torch.svd(torch.eye(2)),
                                 torch.median(torch.tensor([1.0, 2, 3]), dim=0), torch.kthvalue(torch.tensor([1.0, 2, 3]), 1)], MORE)
    add('distributions', lambda: [torch.distributions.Normal(torch.zeros(2), torch.ones(2)), torch.distributions.Categorical(probs=torch.tensor([0.2, 0.8])),
                                  torch.distributions.MultivariateNormal(torch.zeros(2), torch.eye(2)), torch.distributions.Bernoulli(0.3),
                                  torch.distributions.Dirichlet(torch.ones(3)), torch.distributions.Independent(torch.distributions.Normal(torch.zeros(2), 1.0), 1),
                                  torch.distributions.TransformedDistribution(torch.distributions.Normal(0.0, 1.0), [torch.distributions.transforms.ExpTransform()])])
    add('packed_sequence', lambda: nn.utils.rnn.pack_padded_sequence(torch.randn(3, 2, 4), torch.tensor([3, 2]), batch_first=False))
    add('nested_tensor', lambda: torch.nested.nested_tensor([torch.randn(2, 3), torch.randn(4, 3)]))
    add('size_dtype_device', lambda: [torch.Size([2, 3]), torch.float16, torch.int64, torch.device('cpu'), torch.device('cuda', 0), torch.qint8])
    add('layouts_memory_formats', lambda: [torch.contiguous_format, torch.channels_last, torch.strided, torch.sparse_coo])
    add('generator_state', lambda: {'rng': torch.get_rng_state(), 'gen': torch.Generator().manual_seed(3).get_state()})
    add('torch_finfo_iinfo_free', lambda: {'eps': torch.finfo(torch.float32).eps, 'max': torch.iinfo(torch.int8).max})
    add('dataset_tensor', lambda: torch.utils.data.TensorDataset(torch.arange(6.).reshape(3, 2), torch.tensor([0, 1, 0])))
    add('dataloader_sampler', lambda: [torch.utils.data.RandomSampler(range(5)), torch.utils.data.BatchSampler(torch.utils.data.SequentialSampler(range(5)), 2, False)])
    add('subset_concat_dataset', lambda: torch.utils.data.ConcatDataset([torch.utils.data.Subset(torch.utils.data.TensorDataset(torch.ones(4, 1)), [0, 2])] * 2))
    add('storage_untyped', lambda: torch.arange(4, dtype=torch.int16).untyped_storage() if hasattr(torch.Tensor, 'untyped_storage') else torch.arange(4).storage())
    add('typed_storage', lambda: torch.FloatStorage(3) if hasattr(torch, 'FloatStorage') else None)
    add('swa_ema_model', lambda: torch.optim.swa_utils.AveragedModel(nn.Linear(2, 1)))
    add('amp_autocast_state', lambda: {'dtype': torch.get_default_dtype(), 'threads': 1, 'version': torch.__version__})

    _torchvision(ctx, torch)
    _torchaudio(ctx, torch)
    _jit(ctx, torch)


def _pruned(torch):
    import torch.nn.utils.prune as prune
    m = torch.nn.Linear(4, 2)
    prune.l1_unstructured(m, 'weight', amount=0.5)
    return m


def _optimizers(torch):
    out = {}
    for name, ctor in [('SGD', lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True)), ('Adam', lambda p: torch.optim.Adam(p, amsgrad=True)),
                       ('AdamW', lambda p: torch.optim.AdamW(p)), ('RMSprop', lambda p: torch.optim.RMSprop(p, centered=True)),
                       ('Adagrad', lambda p: torch.optim.Adagrad(p)), ('Adadelta', lambda p: torch.optim.Adadelta(p)),
                       ('Adamax', lambda p: torch.optim.Adamax(p)), ('NAdam', lambda p: torch.optim.NAdam(p)), ('RAdam', lambda p: torch.optim.RAdam(p)),
                       ('ASGD', lambda p: torch.optim.ASGD(p)), ('Rprop', lambda p: torch.optim.Rprop(p)), ('LBFGS', lambda p: torch.optim.LBFGS(p))]:
        m = torch.nn.Linear(3, 2)
        opt = ctor(m.parameters())

        def closure():
            opt.zero_grad()
            loss = m(torch.ones(1, 3)).pow(2).sum()
            loss.backward()
            return loss
        opt.step(closure)
        out[name] = opt.state_dict()
    return out


def _optimizer_objects(torch):
    m = torch.nn.Linear(3, 2)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    m(torch.ones(1, 3)).sum().backward()
    opt.step()
    return {'model': m, 'optimizer': opt, 'sgd': torch.optim.SGD([torch.nn.Parameter(torch.ones(2))], lr=0.5)}


def _schedulers(torch, state):
    S = torch.optim.lr_scheduler
    out = {}
    for name, ctor in [('StepLR', lambda o: S.StepLR(o, 2)), ('MultiStepLR', lambda o: S.MultiStepLR(o, [1, 3])),
                       ('ExponentialLR', lambda o: S.ExponentialLR(o, 0.9)), ('CosineAnnealingLR', lambda o: S.CosineAnnealingLR(o, 10)),
                       ('CosineAnnealingWarmRestarts', lambda o: S.CosineAnnealingWarmRestarts(o, 3)),
                       ('ReduceLROnPlateau', lambda o: S.ReduceLROnPlateau(o)), ('CyclicLR', lambda o: S.CyclicLR(o, 0.01, 0.1, cycle_momentum=False)),
                       ('OneCycleLR', lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10)), ('LinearLR', lambda o: S.LinearLR(o)),
                       ('ConstantLR', lambda o: S.ConstantLR(o)), ('PolynomialLR', lambda o: S.PolynomialLR(o, total_iters=4) if hasattr(S, 'PolynomialLR') else S.StepLR(o, 1)),
                       ('SequentialLR', lambda o: S.SequentialLR(o, [S.ConstantLR(o), S.ExponentialLR(o, 0.9)], milestones=[2])),
                       ('ChainedScheduler', lambda o: S.ChainedScheduler([S.ConstantLR(o), S.ExponentialLR(o, 0.9)]))]:
        p = torch.nn.Parameter(torch.ones(2))
        opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
        sch = ctor(opt)
        opt.step()
        if name == 'ReduceLROnPlateau':
            sch.step(1.0)
        else:
            sch.step()
        try:
            v = sch.state_dict() if state else sch
            pickle.dumps(v)  # some schedulers of some versions hold unpicklable WeakMethods: leave those out
            out[name] = v
        except Exception:
            pass
    return out


def _onecycle(torch):
    p = torch.nn.Parameter(torch.ones(2))
    opt = torch.optim.SGD([p], lr=0.1, momentum=0.9)
    sch = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)
    opt.step()
    sch.step()
    return sch


def _checkpoint(torch):
    model = _net(torch)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model(torch.randn(2, 1, 6, 6)).sum().backward()
    opt.step()
    sch = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.01, total_steps=100)
    sch.step()
    return {'epoch': 3, 'global_step': 120, 'model_state_dict': model.state_dict(), 'optimizer_state_dict': opt.state_dict(),
            'scheduler_state_dict': sch.state_dict(), 'loss': torch.tensor(0.25), 'best_metric': 0.91,
            'rng_state': torch.get_rng_state(), 'args': {'lr': 1e-3, 'batch_size': 32, 'arch': 'cnn'}}


def _views(torch):
    base = torch.arange(12.)
    return {'base': base, 'view': base.view(3, 4), 'slice': base[2:5], 'transposed': base.view(3, 4).t(), 'expand': torch.ones(1, 3).expand(2, 3)}


def _torchvision(ctx, torch):
    try:
        import torchvision
    except ImportError as e:
        ctx.note('torchvision', '*', '-', 'not importable: %s' % e)
        return
    M = torchvision.models
    add = lambda name, build, savers=BASE: ctx.add('torchvision', name, build, list(savers))
    torch.manual_seed(0)
    add('squeezenet1_1_state_dict', lambda: M.squeezenet1_1(num_classes=2).state_dict(), ['torch-zip-p2'])
    add('squeezenet1_1_module', lambda: M.squeezenet1_1(num_classes=2), ['torch-zip-p2', 'torch-legacy-p2'])
    add('mobilenet_v3_small_module', lambda: M.mobilenet_v3_small(num_classes=2, width_mult=0.25, reduced_tail=True), ['torch-zip-p2'])
    add('shufflenet_state_dict', lambda: M.shufflenet_v2_x0_5(num_classes=2).state_dict(), ['torch-legacy-p2'])
    add('squeezenet1_1_module_shrunk', lambda: _shrink(M.squeezenet1_1(num_classes=2)), ['torch-zip-p2', 'torch-legacy-p2'])
    add('shufflenet_module_shrunk', lambda: _shrink(M.shufflenet_v2_x0_5(num_classes=2)), ['torch-zip-p2'])
    add('resnet_tiny_module', lambda: _tiny_resnet(M), BASE + ['torch-zip-p4'])
    add('transforms_compose', lambda: _transforms(torchvision), BASE + ['p4'])
    add('ops_modules', lambda: [torchvision.ops.FeaturePyramidNetwork([4, 8], 4), torchvision.ops.MultiScaleRoIAlign(['0'], 2, 2),
                                torchvision.ops.StochasticDepth(0.1, 'row'), torchvision.ops.SqueezeExcitation(4, 2)])
    add('detection_anchor_gen', lambda: torchvision.models.detection.anchor_utils.AnchorGenerator(((16,),), ((0.5, 1.0),)))
    add('datasets_fake', lambda: torchvision.datasets.FakeData(size=2, image_size=(1, 4, 4), num_classes=2), ['p4', 'torch-zip-p2'])


def _shrink(model):
    """Same module tree and classes, but every parameter/buffer replaced by a 1-element tensor (small file)."""
    import torch
    with torch.no_grad():
        for mod in model.modules():
            for k, v in list(mod._parameters.items()):
                if v is not None:
                    mod._parameters[k] = torch.nn.Parameter(v.detach().reshape(-1)[:1].clone(), requires_grad=v.requires_grad)
            for k, v in list(mod._buffers.items()):
                if v is not None:
                    mod._buffers[k] = v.reshape(-1)[:1].clone()
    return model


def _tiny_resnet(M):
    from torchvision.models.resnet import ResNet, BasicBlock
    return ResNet(BasicBlock, [1, 1, 1, 1], num_classes=2, width_per_group=64) if False else _shrink_resnet(ResNet, BasicBlock)


def _shrink_resnet(ResNet, BasicBlock):
    import torch.nn as nn
    m = ResNet(BasicBlock, [1, 1, 1, 1], num_classes=2)
    # keep the class layout but make the file small: replace the big stages with tiny blocks
    m.layer2 = nn.Sequential(BasicBlock(64, 64))
    m.layer3 = nn.Sequential()
    m.layer4 = nn.Sequential()
    m.fc = nn.Linear(64, 2)
    return m


def _transforms(torchvision):
    T = torchvision.transforms
    return T.Compose([T.Resize(8), T.CenterCrop(8), T.RandomHorizontalFlip(), T.ColorJitter(0.1, 0.1), T.ToTensor(),
                      T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225]), T.RandomErasing()])


def _torchaudio(ctx, torch):
    try:
        import torchaudio
    except Exception as e:
        ctx.note('torchaudio', '*', '-', 'not importable: %s' % e)
        return
    add = lambda name, build, savers=BASE: ctx.add('torchaudio', name, build, list(savers))
    add('mel_spectrogram', lambda: torchaudio.transforms.MelSpectrogram(sample_rate=8000, n_fft=64, n_mels=8))
    add('mfcc_state_dict', lambda: torchaudio.transforms.MFCC(sample_rate=8000, n_mfcc=4, melkwargs={'n_fft': 64, 'n_mels': 8}).state_dict())
    add('audio_transforms', lambda: torch.nn.Sequential(torchaudio.transforms.Resample(16000, 8000), torchaudio.transforms.AmplitudeToDB(),
                                                        torchaudio.transforms.FrequencyMasking(2), torchaudio.transforms.TimeMasking(2)))


def _jit(ctx, torch):
    nn = torch.nn

    def loader(path):
        return torch.jit.load(path)

    def jsave(name, build):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter('ignore')
                obj = build()
        except Exception as e:
            ctx.note('torch', name, 'torch.jit.save', 'build failed: %s: %s' % (type(e).__name__, e))
            return
        ctx.custom('torch', name, 'jit', '.pt', 'torch.jit.save', lambda p: torch.jit.save(obj, p),
                   ('torch.jit.load (C++ unpickler: find_class not observable)', loader), label='code-carrying',
                   desc='TorchScript archive: code/ holds TorchScript source that torch.jit.load compiles')
    jsave('jit_script_cnn', lambda: torch.jit.script(_net(torch).eval()))
    jsave('jit_trace_mlp', lambda: torch.jit.trace(nn.Sequential(nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 1)).eval(), torch.randn(2, 4)))
    jsave('jit_script_lstm', lambda: torch.jit.script(nn.LSTM(3, 2)))
    jsave('jit_script_function', lambda: torch.jit.script(_scripted_fn))


def _scripted_fn(x):
    # type: (Tensor) -> Tensor
    return x * 2 + 1
