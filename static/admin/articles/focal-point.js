// The library image's focal point: a click on the picture sets the two fields (fractions across and down).
document.addEventListener("click", (event) => {
  const picker = event.target.closest(".focal-picker");
  if (!picker) return;
  const box = picker.getBoundingClientRect();
  const x = Math.min(Math.max((event.clientX - box.left) / box.width, 0), 1);
  const y = Math.min(Math.max((event.clientY - box.top) / box.height, 0), 1);
  document.getElementById("id_focal_x").value = x.toFixed(3);
  document.getElementById("id_focal_y").value = y.toFixed(3);
  const marker = picker.querySelector(".focal-marker");
  marker.style.left = `${(x * 100).toFixed(1)}%`;
  marker.style.top = `${(y * 100).toFixed(1)}%`;
});
