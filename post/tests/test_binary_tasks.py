"""Files of the binary's steady, spectrum, collide tasks (skipped until implemented)."""
import os

import numpy as np
import pytest

import qcoll_post as qp
import reference
from helpers import assert_png
from qcoll_post.plot import plot_run

FIGURES = {
    "steady": {"steady_state", "steady_currents"},
    "spectrum": {"spectrum"},
    "collide": {"collide_convergence", "collide_second_law", "collide_energy"},
}


def test_task_file_loads_and_plots(qubit_task, tmp_path):
    task, path = qubit_task
    run = qp.load(path)
    assert run.task == task and run.complete
    assert task in run.groups
    model = reference.Model(run.deck)
    if task == "steady":
        st = run.steady
        assert np.trace(st.rho).real == pytest.approx(1.0, abs=1e-8)
        assert np.allclose(st.rho, st.rho.conj().T, atol=1e-10)
        assert np.allclose(st.rho, model.steady_state(), atol=1e-6)
        assert abs(qp.first_law_residual(st)) < 1e-8
        assert st.entropy_production >= -1e-10
    elif task == "spectrum":
        ev = np.asarray(run.spectrum.eigenvalues)
        assert np.min(np.abs(ev)) < 1e-8, "0 is an eigenvalue of a Liouvillian"
        assert run.spectrum.gap == pytest.approx(model.spectrum()[1], rel=1e-6)
    else:
        runs = run.collide.runs()
        assert [tau for tau, _ in runs] == pytest.approx(run.deck["collide"]["tau"])
        rho0 = reference.ground_state(model.H)
        for tau, group in runs:
            assert np.trace(group.rho_final).real == pytest.approx(1.0, abs=1e-10)
            assert np.all(np.asarray(group.entropy_production) >= -1e-12)
            expected = model.collide(rho0, tau, run.deck["collide"]["t_final"], compare=False)
            assert np.allclose(group.rho_final, expected["rho_final"], atol=1e-8)
            assert group.relative_entropy.species == ("bath",)
        order = run.collide.attrs.get("order_final_distance")
        if order is not None and "final_distance" in run.collide:
            fitted, _ = qp.convergence_order(run.collide.tau, run.collide.final_distance)
            assert fitted == pytest.approx(order, rel=1e-6), "same least-squares fit as the binary"
    written = plot_run(run, str(tmp_path))
    stem = os.path.splitext(os.path.basename(path))[0]
    made = {os.path.splitext(os.path.basename(p))[0][len(stem) + 1:] for p in written}
    assert FIGURES[task] <= made
    for out in written:
        assert_png(out)
