/* Figures as the report prints them in CKAN's table view (datatables_view): see ../plugin.py.
 *
 * The view's rows arrive with numeric cells printed from floats (32595100.0). The data dictionary
 * the page carries (gdataDict) holds each column's decimal places as the publisher wrote them
 * (info.decimales, from the Table Schema); DataTables' documented `xhr.dt` event lets the page
 * change the rows it received before drawing them. Loaded after the view's own script, before
 * CKAN initialises its modules (which starts the table and its first request). */
(function () {
  'use strict'
  const dictionary = typeof gdataDict === 'undefined' ? [] : gdataDict // eslint-disable-line no-undef
  const places = {}
  dictionary.forEach(function (field) {
    const wanted = field.info ? Number(field.info.decimales) : NaN
    if (field.type === 'numeric' && Number.isInteger(wanted) && wanted >= 0 && wanted <= 20) {
      places[field.id] = wanted
    }
  })
  if (!Object.keys(places).length) return
  const figure = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i
  $(document).on('xhr.dt', function (event, settings, json) {
    if (!json || !Array.isArray(json.data)) return
    json.data.forEach(function (row) {
      Object.keys(places).forEach(function (id) {
        const value = row[id]
        if (typeof value === 'string' && figure.test(value)) {
          row[id] = Number(value).toFixed(places[id])
        }
      })
    })
  })
})()
