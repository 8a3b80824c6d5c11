"""JSON API for PfA reviews and agreed actions, under /api/v1/young-people/{id}/."""
from __future__ import annotations

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from destinations.common.api import caller, check_if_match, etag, invalid, not_found, today
from destinations.extensions import db
from destinations.people.models import YoungPerson
from destinations.people.services import get_visible_person
from destinations.reviews import services
from destinations.reviews.models import Review
from destinations.reviews.rules import CONTENT_FIELDS
from destinations.reviews.schemas import (
    ActionQuerySchema,
    ActionSchema,
    ReviewQuerySchema,
    ReviewRevisionSchema,
    ReviewSchema,
)
from destinations.reviews.services import ReviewError
from destinations.security.context import audit
from destinations.security.permissions import allow

blueprint = Blueprint(
    "reviews_api", __name__, url_prefix="/api/v1/young-people", description="Preparation-for-adulthood reviews and agreed actions"
)


def visible_or_404(person_id: int) -> YoungPerson:
    person = get_visible_person(db.session, caller(), person_id)
    if person is None:
        not_found("young person")
    return person


def review_or_404(person: YoungPerson, review_id: int) -> Review:
    review = services.get_review(db.session, person, review_id)
    if review is None:
        not_found("review")
    return review


def review_headers(review: Review) -> dict[str, str]:
    return {**etag(review.version), "Location": url_for("reviews_api.ReviewItem", person_id=review.young_person_id, review_id=review.id)}


@blueprint.route("/<int:person_id>/reviews")
class Reviews(MethodView):
    @allow("manager", "keyworker")
    @blueprint.arguments(ReviewQuerySchema, location="query")
    @blueprint.response(200, ReviewSchema(many=True))
    @blueprint.paginate(page_size=20, max_page_size=100)
    def get(self, query, pagination_parameters, person_id):
        """The young person's reviews, newest first (drafts still being written come first)."""
        person = visible_or_404(person_id)
        status = query.get("status")
        page, size = pagination_parameters.page, pagination_parameters.page_size
        pagination_parameters.item_count = services.count_reviews(db.session, person.id, status=status)
        reviews = services.reviews_for(db.session, person.id, status=status, limit=size, offset=(page - 1) * size)
        audit("view", "young_person", person.id, part="reviews", count=len(reviews))
        db.session.commit()
        return [services.review_as_dict(review) for review in reviews]

    @allow("manager", "keyworker")
    @blueprint.arguments(ReviewSchema)
    @blueprint.response(201, ReviewSchema)
    def post(self, values, person_id):
        """Log a review. It is complete (every rule checked) unless "status" is "draft"."""
        person = visible_or_404(person_id)
        complete = values.pop("status", "complete") == "complete"
        try:
            review = services.save_review(db.session, person, values, caller(), today=today(), complete=complete)
        except ReviewError as error:
            db.session.rollback()
            invalid(error.errors)
        audit("create", "young_person", person.id, part="review", review_id=review.id, status=review.status, fields=sorted(name for name in values if name in CONTENT_FIELDS))
        db.session.commit()
        return services.review_as_dict(review), 201, review_headers(review)


@blueprint.route("/<int:person_id>/reviews/<int:review_id>")
class ReviewItem(MethodView):
    @allow("manager", "keyworker")
    @blueprint.response(200, ReviewSchema)
    def get(self, person_id, review_id):
        """One review. The ETag is its version: send it back in If-Match when you change it."""
        person = visible_or_404(person_id)
        review = review_or_404(person, review_id)
        audit("view", "young_person", person.id, part="reviews", review_id=review.id)
        db.session.commit()
        return services.review_as_dict(review), 200, etag(review.version)

    @allow("manager", "keyworker")
    @blueprint.arguments(ReviewSchema)
    @blueprint.response(200, ReviewSchema)
    def patch(self, values, person_id, review_id):
        """Change a review; fields you leave out stay as they are.

        Finish a draft with "status": "complete". Correcting a completed review keeps the
        earlier version (see /revisions) and marks it amended. Send If-Match with the ETag to
        be told (412) if someone else changed it first.
        """
        person = visible_or_404(person_id)
        review = review_or_404(person, review_id)
        check_if_match(review.version)
        status = values.pop("status", None) or review.status
        before = services.review_as_dict(review)
        try:
            services.update_review(db.session, review, values, caller(), today=today(), complete=status == "complete")
        except ReviewError as error:
            db.session.rollback()
            invalid(error.errors)
        after = services.review_as_dict(review)
        changed = services.changed_fields(before, after)
        audit("update", "young_person", person.id, part="review", review_id=review.id, amended=bool(changed) and before["status"] == "complete", fields=changed)
        db.session.commit()
        return after, 200, etag(review.version)


@blueprint.route("/<int:person_id>/reviews/<int:review_id>/revisions")
class ReviewRevisions(MethodView):
    @allow("manager", "keyworker")
    @blueprint.response(200, ReviewRevisionSchema(many=True))
    @blueprint.paginate(page_size=20, max_page_size=100)
    def get(self, pagination_parameters, person_id, review_id):
        """Earlier versions of a completed review, newest first, with who changed it and when."""
        person = visible_or_404(person_id)
        review = review_or_404(person, review_id)
        revisions = services.revisions_for(db.session, review)
        pagination_parameters.item_count = len(revisions)
        page, size = pagination_parameters.page, pagination_parameters.page_size
        audit("view", "young_person", person.id, part="review_revisions", review_id=review.id, count=len(revisions))
        db.session.commit()
        return revisions[(page - 1) * size : page * size]


@blueprint.route("/<int:person_id>/actions")
class Actions(MethodView):
    @allow("manager", "keyworker")
    @blueprint.arguments(ActionQuerySchema, location="query")
    @blueprint.response(200, ActionSchema(many=True))
    @blueprint.paginate(page_size=50, max_page_size=200)
    def get(self, query, pagination_parameters, person_id):
        """Agreed actions, open ones first and soonest due first; ?open=true for open ones only."""
        person = visible_or_404(person_id)
        open_only = bool(query.get("open"))
        page, size = pagination_parameters.page, pagination_parameters.page_size
        pagination_parameters.item_count = services.count_person_actions(db.session, person.id, open_only=open_only)
        actions = services.person_actions(db.session, person.id, open_only=open_only, limit=size, offset=(page - 1) * size)
        audit("view", "young_person", person.id, part="actions", count=len(actions))
        db.session.commit()
        return actions


@blueprint.route("/<int:person_id>/actions/<int:action_id>")
class ActionItem(MethodView):
    @allow("manager", "keyworker")
    @blueprint.arguments(ActionSchema)
    @blueprint.response(200, ActionSchema)
    def patch(self, values, person_id, action_id):
        """Mark an action done ({"done": true}) or not done. If-Match with the ETag guards against lost updates."""
        person = visible_or_404(person_id)
        action = services.get_action(db.session, person, action_id)
        if action is None:
            not_found("action")
        check_if_match(action.version)
        changed = ["done"] if action.done != values["done"] else []
        services.set_action_done(db.session, action, values["done"], caller())
        audit("update", "young_person", person.id, part="action", action_id=action.id, fields=changed)
        db.session.commit()
        return action, 200, etag(action.version)
