"""The steps of the assembly guide: what each adds, with which parts and tools (pure data)."""

from __future__ import annotations

from dataclasses import dataclass

from cagette.i18n import N_


@dataclass(frozen=True)
class Step:
    title: str  # N_ texts, translated when shown
    text: str
    new: tuple[str, ...]  # part-name prefixes added at this step ("leg" matches leg_right and leg_left)
    hardware: tuple[str, ...] = ()  # BOM items used at this step
    tools: tuple[str, ...] = ()
    view: str = "iso"  # iso, front, top or lamp
    dims: tuple[str, ...] = ()  # the dimensions drawn on its view


STEPS = (
    Step(N_("Cut and check the parts"),
         N_("Cut the board sheets (sheets/sheet-*.dxf or .svg on a laser or CNC; templates-a4.pdf for a jigsaw) "
            "and the diffusers (sheets/diffusers-*.dxf, opal acrylic). Cut the kerf coupon first: the slot that "
            "holds the tab snugly gives your kerf_mm. Engrave first, then the inner cuts, the outer cuts last. "
            "Sand the edges and check each part's label."),
         (), (), (N_("laser cutter, CNC router or jigsaw"), N_("sandpaper")), "exploded"),
    Step(N_("Stand the legs on the base"),
         N_("Push the tabs under both legs' posts into the slots of the base, the engraved stage facing up. The "
            "leg with the small holes for the controller goes on the right, those holes outside and at the front."),
         ("base", "leg"), (), (N_("soft mallet"),), "iso", ("legs",)),
    Step(N_("Put the shelf and the back apron on"),
         N_("Slide the shelf's tenons through the middle pair of slots (the height computed for your stage) and "
            "lock them outside the legs with pins. Push the back apron's tenons through the legs' back posts and "
            "pin them: it keeps the legs square. The other slots move the shelf a step up or down."),
         ("shelf", "apron"), ("pins",), (N_("soft mallet"),), "front", ("shelf",)),
    Step(N_("Build the two lamps"),
         N_("Stick an LED strip along the lamp board, on the face without the label. Push the end tabs of the "
            "lamp board and of the diffuser into the slots of the two cheeks: the diffuser in the slot nearer the "
            "cheek's inner edge, 12 mm in front of the strip. Solder the strip's wires and lead them up."),
         ("cheek", "lamp", "diffuser"), ("led_strip", "adhesive"), (N_("soldering iron"), N_("wire stripper")),
         "lamp"),
    Step(N_("Put the wings on and hang the lamps"),
         N_("Push the cheeks' tabs into the slots under each wing, then the wing's tenons from outside through the "
            "leg, and lock them inside with pins. The diffusers face the stage; run the wires through the hole in "
            "each leg."),
         ("wing",), ("pins",), (N_("soft mallet"),), "front", ("lamps",)),
    Step(N_("Pin the cradle on and lay the device"),
         N_("Pin the cradle on the shelf. Lay the device in its pocket screen up, so its camera looks down through "
            "the opening: its top edge (the lens end) points where the engraved arrow points. If the lens does not "
            "sit over the opening, measure it again with the lens card (lens-card.pdf) and rebuild the kit with "
            "lens_x_mm and lens_y_mm."),
         ("cradle", "device"), ("pins",), (), "top", ("lens",)),
    Step(N_("Wire the controller"),
         N_("Screw the Raspberry Pi Pico on the outside of the right leg's front post (the engraved rectangle), "
            "the button in the hole above it, and wire them as the diagram below shows. Flash the firmware with "
            "`cagette device flash`."),
         (), ("controller:pico", "controller:mosfet", "controller:r220", "controller:r10k", "controller:button",
              "controller:status_led", "controller:r330", "controller:psu", "controller:buck", "controller:usb",
              "controller:wires"),
         (N_("soldering iron"), N_("small screwdriver")), "wiring"),
    Step(N_("Check the frame"),
         N_("Print the framing card at 100 % (framing-card.pdf, check its square) and lay it on the stage, markers "
            "beside the paper. The camera should see what view-from-lens.png shows: the whole stage, the four "
            "markers, no wood and no reflection of the lamps."),
         (), (), (N_("printer"),), "none"),
)


def matches(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == pre or name.startswith(pre + "_") for pre in prefixes)
