// The card form on the portal's pay page (templates/card/portal/pay.html), after Stripe.js.
(function () {
  var form = document.getElementById('card-form');
  if (!window.Stripe || !form) { return; }
  document.getElementById('card-unavailable').hidden = true;
  form.hidden = false;
  var stripe = window.Stripe(form.dataset.key);
  var cardElement = stripe.elements().create('card', {hidePostalCode: true});
  cardElement.mount('#card-element');
  var button = document.getElementById('card-submit');
  var problem = document.getElementById('card-problem');
  function showProblem(message) {
    document.getElementById('card-problem-text').textContent = message;
    document.getElementById('card-error').textContent = message;
    document.getElementById('card-error').hidden = false;
    document.getElementById('card-group').classList.add('govuk-form-group--error');
    problem.hidden = false;
    problem.focus();
    button.disabled = false;
  }
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    stripe.confirmCardPayment(form.dataset.secret, {payment_method: {card: cardElement}})
      .then(function (result) {
        if (result.error) {
          var said = (result.error.message || 'Your card payment was not successful').replace(/[.\s]*$/, '');
          showProblem(said + '. No money was taken.');
        } else {
          window.location.assign(form.dataset.returnUrl + '?payment_intent=' + encodeURIComponent(result.paymentIntent.id));
        }
      });
  });
})();
