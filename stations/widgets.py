"""The Leaflet map widget of wagtailgeowidget, with Leaflet served from our static files (the
package's own widget loads it from unpkg.com; we use no CDN)."""

from django import forms
from django.utils.functional import cached_property
from wagtailgeowidget.panels import LeafletPanel
from wagtailgeowidget.widgets import LeafletField

LEAFLET_CSS = "stations/vendor/leaflet-1.9.4/leaflet.css"
LEAFLET_JS = "stations/vendor/leaflet-1.9.4/leaflet.js"


class LocalLeafletField(LeafletField):
    @cached_property
    def media(self):
        return forms.Media(
            css={"all": ("wagtailgeowidget/css/leaflet-field.css", LEAFLET_CSS)},
            js=(LEAFLET_JS, "wagtailgeowidget/js/leaflet-field.js", "wagtailgeowidget/js/leaflet-field-controller.js"),
        )


class StationLeafletPanel(LeafletPanel):
    def widget_overrides(self):
        return {
            self.field_name: LocalLeafletField(
                address_field=self.address_field, zoom_field=self.zoom_field, hide_latlng=self.hide_latlng,
                zoom=self.zoom, srid=4326, id_prefix="id_",
            )
        }
